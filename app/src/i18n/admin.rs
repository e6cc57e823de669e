//! Messages for the admins' pages: the audit log, two-step verification, backups.
//! The macro adds these lines to the list it is handed and passes it on (see `mod.rs`).
macro_rules! admin_messages {
    ([$next:ident $(, $rest:ident)*] $($done:tt)*) => {
        $next! { [$($rest),*] $($done)*
        AuditTitle => "安全日志", "Audit log";
        AuditIntro => "登录、账号与角色变更、导入导出、设置修改等记录，保留至少 180 天。", "Sign-ins, account and role changes, imports, exports, settings and the like, kept at least 180 days.";
        AuditUser => "用户名", "Username";
        AuditKindLabel => "类别", "Kind";
        AuditAll => "全部", "All";
        AuditFrom => "起始日期", "From";
        AuditTo => "截止日期", "To";
        AuditFilterButton => "筛选", "Filter";
        AuditDownload => "下载 CSV", "Download CSV";
        AuditOlder => "更早的记录", "Older lines";
        AuditNone => "没有符合条件的记录。", "No lines match.";
        AuditWhen => "时间", "When";
        AuditWho => "操作人", "Who";
        AuditWhat => "事件", "What";
        AuditTarget => "对象", "Target";
        AuditFromAddress => "来源", "From";
        AuditOutcomeLabel => "结果", "Outcome";
        OutcomeOk => "成功", "Done";
        OutcomeRefused => "被拒绝", "Refused";
        OutcomeFailed => "失败", "Failed";
        NavAudit => "安全日志", "Audit log";
        CodeTitle => "两步验证", "Two-step verification";
        CodeIntro => "请打开手机上的验证器应用（如 Microsoft Authenticator、Google 身份验证器、FreeOTP 等支持 TOTP 的应用），输入夜校账号当前显示的 6 位数字。", "Open the authenticator app on your phone and type the six digits it shows for Night School now.";
        CodeLabel => "验证码", "Code";
        CodeRecoveryHint => "手机不在身边？可以输入一个恢复码（每个只能用一次）。", "No phone at hand? Type one of your recovery codes instead (each works once).";
        CodeStartOver => "换个账号登录", "Sign in with another account";
        FactorTitle => "两步验证", "Two-step verification";
        FactorIntro => "开启后，登录时除了密码还要输入手机验证器应用里的 6 位数字：密码被人知道了，账号也不会被冒用。", "With it, signing in asks for the six digits of an authenticator app on your phone as well as the password: a password someone learnt is not enough.";
        FactorRequired => "管理账号需要两步验证：请先完成设置，再继续使用。", "Accounts that manage others need two-step verification: set it up to go on.";
        FactorBegin => "开始设置", "Set it up";
        FactorScan => "用验证器应用扫描这个二维码。", "Scan this QR code with the authenticator app.";
        FactorTypeKey => "不能扫码时，手动输入密钥：", "Cannot scan? Type this key:";
        FactorFirstCode => "应用显示的 6 位数字", "The six digits the app shows";
        FactorConfirm => "确认开启", "Turn on";
        FactorOn => "两步验证已开启。", "Two-step verification is on.";
        FactorCodesLeft => "剩余恢复码：", "Recovery codes left:";
        FactorOff => "关闭两步验证", "Turn two-step verification off";
        FactorContinue => "我已保存，继续", "Saved them: go on";
        RecoveryRenew => "重新生成恢复码", "New recovery codes";
        RecoveryCodesIntro => "请把下面的恢复码抄写或打印下来，妥善保管。手机丢失时，每个恢复码可代替验证码登录一次。它们只显示这一次。", "Write these recovery codes down or print them, and keep them safe. If the phone is lost, each one signs you in once instead of a code. They are shown only this once.";
        FactorReset => "重置两步验证", "Reset two-step verification";
        FactorResetDone => "已重置：该账号下次登录时重新设置两步验证。", "Reset: the account sets up two-step verification again at its next sign-in.";
        FactorOrganisers => "组织者账号也必须开启两步验证（管理员始终必须）", "Organisers must use two-step verification too (admins always must)";
        NavFactor => "两步验证", "Two-step verification";
        BackupTitle => "备份与恢复", "Backup and restore";
        BackupIntro => "备份文件包含全部记录和附件（含个人信息与密码散列），请像保管档案一样保管：存到另一台电脑或移动硬盘，不要发到聊天群。", "A backup holds every record and attachment (personal data and password hashes included): keep it as you keep the files of the office, on another computer or an external disk, never in a chat group.";
        BackupDownload => "立即下载备份", "Download a backup now";
        BackupDownloadHint => "生成一份当前数据的完整快照，服务不中断；数据多时需要一两分钟。", "Takes a full snapshot while the service keeps running; with much data it takes a minute or two.";
        BackupScheduled => "自动备份", "Scheduled backups";
        BackupEvery => "每", "Every";
        BackupHours => "小时一次", "hours";
        BackupKeep => "保留最近", "keeping the last";
        BackupCopies => "份", "copies";
        BackupFolder => "存放在", "in";
        BackupOff => "自动备份未开启：请设置 NIGHTSCHOOL_BACKUP_DIR（见说明文档），或定期在本页下载备份。", "Scheduled backups are off: set NIGHTSCHOOL_BACKUP_DIR (see the README), or download a backup here regularly.";
        BackupNone => "备份文件夹中还没有备份。", "The backup folder holds no backups yet.";
        BackupFile => "文件", "File";
        BackupSize => "大小", "Size";
        BackupRestoreTitle => "从备份恢复", "Restoring";
        BackupRestoreHow => "在服务器上停止夜校服务后运行下面的命令。它先检查文件，再把当前数据另存一份快照，然后整体恢复（要么全部成功，要么不做任何改变）。", "Stop the Night School service on the server, then run the command below. It checks the file, keeps a snapshot of the current data, then restores everything or changes nothing.";
        BackupMoveHow => "备份格式与数据库类型无关：街道的 SQLite 备份可直接恢复到区里的 PostgreSQL，反之亦然。", "The format does not depend on the database: a subdistrict's SQLite backup restores into the district's PostgreSQL, and back.";
        BackupBackend => "当前数据库：", "Database:";
        }
    };
}
