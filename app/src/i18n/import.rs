//! Messages for importing cadres from a sheet.
//! The macro adds these lines to the list it is handed and passes it on (see `mod.rs`).
macro_rules! import_messages {
    ([$next:ident $(, $rest:ident)*] $($done:tt)*) => {
        $next! { [$($rest),*] $($done)*
        ErrImportHasProblems => "表格中有错误，未导入任何内容。请修改后重新上传。", "The sheet has problems; nothing was imported. Correct it and upload it again.";
        ImportTitle => "批量导入学员", "Import cadres";
        ImportHint => "上传 CSV 或 Excel（.xlsx，读取第一张工作表）。第一行为表头：姓名、社区、梯队（必填），手机、角色（选填，如“学员、讲师”），街道（社区名在多个街道都有时必填），管理范围（管理员填写：社区、街道、全区，或街道、社区的名称；填写即成为该范围的组织者）。按手机号或同社区同名匹配已有人员并更新，其余新增；填写角色而尚无账号的，以手机号为用户名创建账号，由管理员设置初始密码。任何一行有误则全部不导入。", "Upload a CSV or Excel (.xlsx, first sheet) file. The first row names the columns: name, community, tier (required), phone, roles (optional, such as “cadre, lecturer”), subdistrict (needed when several subdistricts have a community of that name), scope (administrators: community, subdistrict, district, or the name of a subdistrict or community; it makes the person an organiser there). Existing people are matched by phone, or by name within the community, and updated; the rest are added. Roles for someone without an account create one named by the phone number; an administrator sets its first password. One bad row and nothing is imported.";
        ImportFile => "选择文件", "Choose a file";
        ImportUpload => "上传并预览", "Upload and preview";
        ImportConfirm => "确认导入", "Import these rows";
        ImportPreviewTitle => "预览", "Preview";
        ImportLine => "行", "Line";
        ImportAction => "操作", "Action";
        ImportAdd => "新增", "Add";
        ImportUpdate => "更新", "Update";
        ImportTierChange => "梯队变动", "tier changes";
        ImportNewAccount => "新建账号", "new account";
        ImportDoneMsg => "导入完成：", "Imported:";
        ImportAdded => "新增", "added";
        ImportUpdated => "更新", "updated";
        ImportProblems => "以下各行有误，整张表未导入：", "These rows have problems; nothing in the sheet was imported:";
        Phone => "手机", "Phone";
        RolesLabel => "角色", "Roles";
        ImpNoHeader => "找不到表头：第一行应包含“姓名”“社区”“梯队”。", "No header found: the first row must name the columns name, community and tier.";
        ImpEmpty => "表格中没有数据行。", "The sheet has no rows.";
        ImpTooManyRows => "一次最多导入 5000 行。", "At most 5,000 rows at a time.";
        ImpUnreadable => "无法读取该文件：请上传 CSV 或 .xlsx 文件。", "The file cannot be read: upload a CSV or .xlsx file.";
        ImpTooLarge => "文件过大（最大 5 MB，解压后最大 32 MB）。", "The file is too large (5 MB at most, 32 MB unpacked).";
        ImpTooManyColumns => "表格列数过多（最多 64 列）：请只保留姓名、社区、梯队等列。", "The sheet has too many columns (64 at most): keep only name, community, tier and the like.";
        ImpTimedOut => "读取该文件用时过长，已停止：请另存为简单的表格后再上传。", "Reading the file took too long and was stopped: save it as a plain sheet and upload again.";
        ImpNameMissing => "缺少姓名。", "The name is missing.";
        ImpNameTooLong => "姓名过长（最多 40 字）。", "The name is too long (40 characters at most).";
        ImpUnknownCommunity => "社区不存在。", "No such community.";
        ImpUnknownTier => "梯队不存在。", "No such tier.";
        ImpBadPhone => "手机号格式不对。", "The phone number is not valid.";
        ImpUnknownRole => "角色只能是学员、讲师、组织者或管理员。", "Roles are cadre, lecturer, organiser or admin.";
        ImpRoleNotAllowed => "只有管理员可以授予组织者或管理员角色。", "Only an administrator may give the organiser or admin role.";
        ImpPhoneNeeded => "要创建账号，需要手机号作为用户名。", "A phone number is needed to name the new account.";
        ImpUsernameTaken => "以该手机号为用户名的账号已存在。", "An account with this phone number as its username exists.";
        ImpDuplicate => "与表中前面的行重复。", "The same person appears earlier in the sheet.";
        ImpUnknownSubdistrict => "街道不存在。", "No such subdistrict.";
        ImpAmbiguousCommunity => "多个街道都有这个社区名，请填写“街道”列。", "Several subdistricts have a community of this name: fill in the subdistrict column.";
        ImpUnknownScope => "管理范围只能是社区、街道、全区，或本街道的街道、社区名称。", "The scope is community, subdistrict, district, or the name of the row's subdistrict or one of its communities.";
        ImportScope => "管理范围", "Scope";
        ImportSubdistrict => "街道", "Subdistrict";
        ImpAmbiguous => "同社区有多位同名人员，请填写手机号区分。", "Several people of this name in the community: add the phone number.";
        }
    };
}
