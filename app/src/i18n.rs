//! Every word the UI shows, in Chinese (the default) and English. A page asks for a
//! [`Key`]; the current [`Lang`] lives in a signal so a switch re-renders in place.
use leptos::prelude::*;

use crate::domain::account::Invalid;
use crate::domain::schedule::{AttendanceStatus, SessionFormat};
use crate::domain::{Role, Timestamp};
use crate::error::{AppError, Conflict};

pub const LANG_COOKIE: &str = "ns_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The `<html lang>` value and the cookie's.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Anything unknown means Chinese, the school's language.
    pub fn from_code(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

macro_rules! messages {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Key::$key, Lang::Zh) => $zh, (Key::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

messages! {
    AppName => "夜校", "Night School";
    SeriesName => "运河红·初心讲堂", "Canal Red · Original Aspiration Lecture Hall";
    SwitchLanguage => "English", "中文";
    SwitchLanguageLabel => "切换到英文", "Switch to Chinese";
    Login => "登录", "Sign in";
    Logout => "退出", "Sign out";
    Username => "用户名", "Username";
    Password => "密码", "Password";
    RememberMe => "在这台手机上保持登录", "Keep me signed in on this phone";
    RememberMeHint => "仅限本人手机；组织者和管理员账号 30 分钟无操作即退出。", "Only on your own phone. Organiser and admin accounts sign out after 30 idle minutes.";
    LoginTitle => "登录夜校", "Sign in to Night School";
    LoginIntro => "观音阁街道“运河红·初心讲堂”暨干部夜校", "Guanyinge Subdistrict's lecture series and cadre night school";
    IdentityLinkedAs => "统一身份：", "Identity-provider account:";
    IdentityUnlink => "解除关联", "Unlink";
    LoginOidc => "统一身份认证登录", "Sign in with the district account";
    LoginOrPassword => "或用夜校账号密码登录", "or sign in with your Night School password";
    ErrBadCredentials => "用户名或密码不正确。", "Wrong username or password.";
    ErrLocked => "登录失败次数过多，请 15 分钟后再试。", "Too many failed sign-ins. Try again in 15 minutes.";
    ErrDisabled => "该账号已停用，请联系管理员。", "This account is disabled. Please contact an administrator.";
    ErrUnavailable => "系统暂时无法登录，请稍后再试。", "Signing in is not possible right now. Please try again shortly.";
    ErrOidcFailed => "统一身份认证未完成，请重试。", "Signing in through the identity provider did not complete: please try again.";
    ErrOidcUnknown => "您的统一身份尚未对应夜校账号，请联系管理员开通。", "Your identity-provider account matches no Night School account: ask an admin to set one up.";
    ErrOidcUnavailable => "暂时连不上统一身份认证，请稍后再试或用密码登录。", "The identity provider cannot be reached just now: try again later or sign in with your password.";
    ErrLoginExpired => "验证等待超时，请重新输入密码登录。", "The sign-in waited too long: please sign in with your password again.";
    ErrUnauthenticated => "请先登录。", "Please sign in first.";
    ErrForbidden => "您没有权限查看此页面。", "You are not allowed to see this page.";
    ErrNotFound => "找不到该记录。", "That record does not exist.";
    ErrInternal => "系统出错了，请稍后再试。", "Something went wrong. Please try again.";
    ErrTransport => "网络连接失败，请检查网络后重试。", "The network request failed. Check your connection and try again.";
    ErrUsername => "用户名需为 3–32 位字母、数字或 . _ -", "Usernames are 3–32 letters, digits, '.', '_' or '-'.";
    ErrDisplayName => "姓名需为 1–40 个字符。", "Names are 1–40 characters.";
    ErrPasswordLength => "密码需为 8–128 个字符。", "Passwords are 8–128 characters.";
    ErrPasswordMismatch => "两次输入的新密码不一致。", "The two new passwords differ.";
    ErrNoRole => "请至少选择一个角色。", "Choose at least one role.";
    ErrUsernameTaken => "该用户名已被使用。", "That username is taken.";
    ErrLastAdmin => "不能移除最后一个可用的管理员。", "The last active administrator cannot be removed.";
    ErrOwnAccount => "不能停用自己的账号。", "You cannot disable your own account.";
    ErrWrongPassword => "当前密码不正确。", "The current password is wrong.";
    ErrWrongCode => "验证码不正确或已用过，请输入验证器应用中的最新 6 位数字。", "The code is wrong or was used already: type the newest six digits from the authenticator app.";
    ErrCommonPassword => "这个密码太常见，容易被猜中，请换一个（可用一句好记的话）。", "That password is too common and easy to guess; choose another (a memorable phrase works well).";
    ErrTooManyTries => "尝试次数过多，请稍后再试。", "Too many tries. Please wait a while and try again.";
    ErrBusy => "服务器正忙，请稍等片刻再试。", "The server is busy. Please try again in a moment.";
    ErrAuditFilter => "筛选条件有误：日期请按 2026-12-01 的格式填写。", "The filter is not right: write dates like 2026-12-01.";
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
    NotFoundTitle => "页面不存在", "Page not found";
    NotFoundBody => "您访问的页面不存在或已被移除。", "The page you asked for does not exist.";
    BackHome => "返回首页", "Back to my home";
    Loading => "加载中…", "Loading…";
    RoleCadre => "学员", "Cadre";
    RoleLecturer => "讲师", "Lecturer";
    RoleOrganiser => "组织者", "Organiser";
    RoleAdmin => "管理员", "Admin";
    NavMyTimetable => "我的课程", "My sessions";
    NavLecturer => "我的授课", "My lectures";
    NavOrganiser => "组织工作台", "Organiser desk";
    NavAccounts => "账号管理", "Accounts";
    NavPassword => "修改密码", "Change password";
    CadreHomeTitle => "我的近期课程", "My upcoming sessions";
    CadreHomeEmpty => "近期没有安排课程。", "No sessions are scheduled yet.";
    LecturerHomeTitle => "我的授课", "My lectures";
    LecturerUpcoming => "即将开讲", "Coming up";
    LecturerPast => "已讲课程", "Given";
    LecturerEmpty => "暂无您主讲的课程。", "You have no sessions yet.";
    OrganiserHomeTitle => "组织工作台", "Organiser desk";
    TodayAttendance => "今日签到", "Today's attendance";
    NoSessionToday => "今天没有课程。", "No session today.";
    LatestSession => "最近一期", "Latest session";
    UpcomingSessions => "近期课程", "Upcoming sessions";
    NoUpcoming => "近期没有安排课程。", "Nothing scheduled.";
    Cancelled => "已取消", "Cancelled";
    CheckedIn => "已签到", "Checked in";
    NotYet => "未签到", "Not yet";
    Expected => "应到", "Expected";
    AttendanceRate => "出勤率", "Attendance";
    Lecturers => "主讲", "Lecturers";
    Place => "地点", "Place";
    Theme => "专题", "Theme";
    AccountsTitle => "账号管理", "Accounts";
    AccountsIntro => "创建、停用账号并分配角色。一个人可以同时拥有多个角色。", "Create and disable accounts and assign roles. A person can hold several roles.";
    CreateAccount => "新建账号", "New account";
    DisplayName => "姓名", "Name";
    InitialPassword => "初始密码", "Initial password";
    Roles => "角色", "Roles";
    Status => "状态", "Status";
    Active => "正常", "Active";
    Disabled => "已停用", "Disabled";
    Disable => "停用", "Disable";
    Enable => "启用", "Enable";
    SaveRoles => "保存角色", "Save roles";
    OrganiserUnits => "组织者范围", "Organiser of";
    Subdistrict => "街道", "Subdistrict";
    OrganisationTitle => "组织架构", "Organisation";
    OrganisationIntro => "全区的街道及其社区。每个街道有自己的课程系列名称；组织者的范围在账号管理中设置。", "The district's subdistricts and their communities. Each subdistrict names its own lecture series; organisers' scopes are set on the accounts page.";
    AddSubdistrict => "添加街道", "Add a subdistrict";
    AddCommunity => "添加社区", "Add a community";
    SeriesNameLabel => "课程系列名称", "Lecture series name";
    DistrictTitle => "全区夜校概况", "The district's night schools";
    DistrictExport => "导出全区一张表（CSV）", "Download the district's table (CSV)";
    DistrictTotal => "全区合计", "District total";
    HoursPerCadre => "人均学时", "Hours per cadre";
    DistrictHint => "点击街道名称查看该街道的梯队进度；一张表每名学员一行，各街道不必重复报送。", "Open a subdistrict for its programme dashboard. The table has one row per cadre, so no subdistrict reports the same figures twice.";
    NavDistrict => "全区", "District";
    PlannerDistrictSession => "全区专题班（各街道学员均可参加）", "District class (cadres of every subdistrict)";
    NoOrganiserUnit => "（无：不能管理任何内容）", "(none: manages nothing)";
    GrantUnit => "添加范围", "Add";
    RevokeUnit => "移除", "Remove";
    ResetPassword => "重置密码", "Reset password";
    NewPassword => "新密码", "New password";
    NewPasswordAgain => "再次输入新密码", "New password again";
    CurrentPassword => "当前密码", "Current password";
    ChangePassword => "修改密码", "Change password";
    PasswordChanged => "密码已修改，其他设备上的登录已退出。", "Password changed. Other devices have been signed out.";
    PasswordRequired => "这个密码是管理员为您设置的，请先换成只有您自己知道的密码。", "An administrator chose this password: replace it with one only you know first.";
    AccountCreated => "账号已创建。", "Account created.";
    Saved => "已保存。", "Saved.";
    Create => "创建", "Create";
    Save => "保存", "Save";
    Actions => "操作", "Actions";
    You => "（您）", " (you)";
    FormatLecture => "集中授课", "Lecture";
    FormatSelfStudy => "挑灯夜学", "Evening self-study";
    FormatScenario => "情景分析", "Scenario analysis";
    FormatForum => "讲坛", "Forum";
    StatusPresent => "出席", "Present";
    StatusLate => "迟到", "Late";
    StatusExcused => "请假", "Excused";
    StatusAbsent => "缺席", "Absent";
    StatusMadeUp => "已补学", "Made up";
    Menu => "菜单", "Menu";
    StudyHoursUnit => "学时", "study hours";
    NavNewSession => "安排课程", "Schedule";
    AddToCalendar => "加入手机日历", "Add to calendar";
    CancelSession => "取消这期课程", "Cancel this session";
    CancelReason => "取消原因（学员可见）", "Reason (shown to cadres)";
    ConfirmCancel => "确认取消", "Cancel it";
    PlannerTitle => "安排课程", "Schedule sessions";
    FieldTitle => "课程名称", "Title";
    FieldFormat => "形式", "Format";
    FieldDate => "日期", "Date";
    FieldStart => "开始时间", "Starts";
    FieldEnd => "结束时间", "Ends";
    EndsNextDay => "次日结束", "Ends after midnight";
    AudienceLabel => "参加对象", "Audience";
    Everyone => "全体学员", "All cadres";
    Tiers => "梯队", "Tiers";
    Communities => "社区", "Communities";
    Capacity => "人数上限（可不填）", "Capacity (optional)";
    HoursLabel => "学时", "Study hours";
    HoursHint => "留空则按时长和学时规则计算（见课程设置）。", "Leave empty to derive it from the length by the study-hours rule (see Settings).";
    DescriptionLabel => "简介（Markdown）", "Description (Markdown)";
    RepeatLabel => "每周重复（不选则只安排一期）", "Repeat weekly on (none: a single session)";
    RepeatUntil => "截止日期", "Until";
    RepeatCount => "或共几期", "or how many sessions";
    ClashWith => "时间冲突：", "Clashes with: ";
    ClashLecturer => "讲师已有课程", "lecturer is teaching";
    ClashPlace => "地点已被占用", "place is taken";
    ClashReason => "仍要安排的理由（将被记录）", "Reason to book anyway (recorded)";
    CreatedSessions => "已安排课程期数：", "Sessions scheduled: ";
    ProbRequired => "必填。", "Required.";
    ProbTooLong => "太长了。", "Too long.";
    ProbNotADate => "请选择日期。", "Choose a date.";
    ProbNotATime => "请填写时间，如 19:00。", "Enter a time such as 19:00.";
    ProbEndNotAfterStart => "结束时间须晚于开始时间（跨午夜请勾选“次日结束”）。", "The end must be after the start (tick “Ends after midnight” for late sessions).";
    ProbNotANumber => "请填写正数。", "Enter a positive number.";
    ProbNotALecturer => "所选人员没有讲师角色。", "Someone chosen does not hold the lecturer role.";
    ProbEmptyAudience => "请选择参加对象。", "Choose who the session is for.";
    ProbRecurrence => "重复规则没有产生课程，或超过 200 期。", "The repeat rule yields no session, or more than 200.";
    ErrForm => "请检查标出的内容，课程尚未保存。", "Please check the marked fields; nothing was saved.";
    ErrSessionCancelled => "已取消的课程不能修改。", "A cancelled session cannot be changed.";
    ErrThemeExists => "已有同名专题。", "A theme with that name exists.";
    ErrNameTaken => "已有同名的街道或社区。", "A subdistrict or community of that name exists.";
    ProbOutOfRange => "请填写 10 到 120 之间的整数。", "Enter a whole number from 10 to 120.";
    ProbTooShort => "内容太短。", "Too short.";
    ErrAlreadyAsked => "这一期你已经提交过申请。", "You have already sent a request for this session.";
    ErrLeaveClosed => "只能在开课前、签到前请假。", "Leave can only be asked before the session starts and before checking in.";
    ErrAlreadyDecided => "这条申请已经处理过了。", "This request has already been decided.";
    ErrSessionNotOver => "课程结束后才能把未签到的人记为缺勤。", "Wait until the session ends to mark the rest absent.";
    FpCheckinOpens => "签到开放时间须为 0 到 240 分钟之间的整数。", "Check-in opening must be a whole number of minutes from 0 to 240.";
    FpLateAfter => "迟到界限须为 0 到 120 分钟之间的整数。", "The late mark must be a whole number of minutes from 0 to 120.";
    FpLeaveCap => "请假上限请写成 1/7、15% 或 0.15 这样的比例。", "Write the leave cap as a share such as 1/7, 15% or 0.15.";
    FpMakeUpShare => "补学学时比例请写成 50%、1/2 或 0.5 这样的比例。", "Write the make-up share such as 50%, 1/2 or 0.5.";
    FpDateRange => "日期范围无效：请用“年-月-日”，开始不晚于结束，最长三年。", "Invalid dates: use year-month-day, start no later than end, three years at most.";
    FpTextRequired => "请填写内容。", "Please write something.";
    FpReflectionShort => "心得体会至少 30 个字。", "A reflection needs at least 30 characters.";
    FpTextLong => "内容太长（最多 5000 字）。", "Too long (5,000 characters at most).";
    FpStatus => "请选择一个考勤状态。", "Choose an attendance status.";
    Approve => "批准", "Approve";
    Approved => "已批准", "Approved";
    AskLeave => "请假", "Ask for leave";
    AttendanceRules => "考勤规则", "Attendance rules";
    AttendanceRulesHint => "请假上限：本年度已批准请假学时超过应学学时的这个比例时提醒组织者（国家干部教育培训规定为 1/7）。补学：补学通过后获得该期学时的这个比例。", "Leave cap: organisers are warned when a cadre's approved leave this year passes this share of their scheduled hours (1/7 in the national cadre-training rules). Make-up: an accepted make-up earns this share of the session's hours.";
    AttendanceSheet => "签到表", "Attendance sheet";
    AuditTrail => "修改记录", "Audit trail";
    ByCommunity => "按社区", "By community";
    BySession => "按课程", "By session";
    Change => "修改", "Change";
    ChangeReason => "修改原因", "Reason for the change";
    CheckIn => "签到", "Check in";
    CheckInNow => "确认签到", "Check in now";
    CheckedInAt => "签到时间", "Checked in";
    CheckinAlready => "你已经签到过了，无需重复签到。", "You have already checked in; nothing changed.";
    CheckinCancelled => "这一期课程已取消，无需签到。", "This session is cancelled; no check-in needed.";
    CheckinExpired => "二维码已过期，请重新扫描屏幕上的二维码，或输入六位签到码。", "This QR code has expired. Scan the code on the screen again, or type the six-digit code.";
    CheckinForged => "这个签到链接无效，请扫描现场屏幕上的二维码。", "This check-in link is not valid. Scan the QR code on the screen in the room.";
    CheckinNotCadre => "只有学员需要签到。", "Only cadres check in.";
    CheckinNotYet => "签到还没有开始。", "Check-in has not opened yet.";
    CheckinOpensAt => "签到开放时间：", "Check-in opens at";
    CheckinOver => "课程已结束，签到已关闭。缺课的可以申请补学。", "The session is over and check-in is closed. If you missed it, you can make it up.";
    CheckinReady => "点一下按钮即可签到。", "One tap to check in.";
    CheckinRecorded => "签到成功！", "Checked in!";
    CheckinRules => "签到规则", "Check-in rules";
    CheckinWalkIn => "签到成功。你不在本期的参训名单中，已记为计划外参加，组织者会看到。", "Checked in. You are not on this session's list, so you are recorded as a walk-in for the organisers.";
    CheckinWrongCode => "签到码不对或已过期，请核对屏幕上的六位数字。", "That code is wrong or has expired. Check the six digits on the screen.";
    CommunitiesCsv => "社区出勤率 CSV", "Community rates (CSV)";
    Community => "社区", "Community";
    Decline => "不批准", "Decline";
    Declined => "未批准", "Declined";
    DoorCode => "签到码", "Code";
    DoorNotYet => "签到尚未开放，开放时间", "Check-in opens at";
    DoorOver => "课程已结束，签到已关闭。", "The session is over; check-in is closed.";
    DoorRotates => "二维码自动更新，剩余", "The code changes in";
    DoorScan => "扫码签到", "Scan to check in";
    DoorTitle => "投屏签到", "Door screen";
    From => "从", "From";
    HistoryTitle => "考勤记录", "Attendance history";
    HoursEarned => "已获得学时", "Hours earned";
    LateAfterMinutes => "开课后多少分钟算迟到", "Late after (minutes from start)";
    LeaveCapHint => "本年度请假学时上限：应学学时的", "Yearly leave cap: share of scheduled hours";
    LeaveCapLabel => "请假上限", "Leave cap";
    LeaveCapWarning => "批准后，该学员本年度请假将超过上限", "Approving puts this cadre's leave this year above the cap of";
    LeaveReason => "请假事由", "Reason for leave";
    LeaveRequests => "请假申请", "Leave requests";
    MakeUpHint => "你缺了这一期，可以补学：阅读下方的课程材料并标记已读，再写下心得体会；组织者通过后记为补学。", "You missed this session and can make it up: read the material below and mark it read, then write your reflection; once an organiser accepts it, the session counts as made up.";
    GoToMaterial => "去阅读材料", "Go to the material";
    Material => "课程材料", "Material";
    NoMaterial => "讲师还没有发布材料。", "No material has been published yet.";
    MaterialAfterSession => "材料将在课程结束后公开。", "The material opens once the session is over.";
    PubDraft => "草稿", "Draft";
    PubPublished => "已发布", "Published";
    PubAfterSession => "课后发布", "After the session";
    PubDraftHint => "只有讲师和组织者能看到", "only lecturers and organisers see it";
    PubPublishedHint => "学员现在就能阅读（课前预习）", "cadres can read it now, before the session";
    PubAfterSessionHint => "课程结束后学员才能阅读", "cadres can read it once the session is over";
    PublicationLabel => "发布方式", "Publication";
    EditMaterial => "编辑课程材料", "Edit material";
    ReadReflections => "心得体会", "Reflections";
    NoReflections => "还没有人提交心得体会。", "No reflections yet.";
    Attachments => "附件", "Attachments";
    MarkRead => "标记已读", "Mark as read";
    ReadMark => "已读", "Read";
    MyReflection => "我的心得体会", "My reflection";
    WriteReflection => "写心得体会", "Write a reflection";
    EditReflection => "修改心得体会", "Change my reflection";
    OutlooksLabel => "涉及哪些格局（可多选）", "Which outlooks it speaks to (one or more)";
    OutlookThinking => "思想格局", "Outlook on thinking";
    OutlookWork => "工作格局", "Outlook on work";
    OutlookAbility => "能力格局", "Outlook on ability";
    SaveReflection => "提交心得体会", "Hand in reflection";
    ReflectionAccepted => "已通过", "Accepted";
    Reflected => "已写心得", "Reflection written";
    EarlierTexts => "修改前的内容", "Earlier versions";
    CommentLabel => "点评", "Comment";
    SendComment => "回复", "Reply";
    MakeUpStepRead => "补学第一步：阅读材料，然后点“标记已读”。", "Make-up, step 1: read the material, then press “Mark as read”.";
    MakeUpStepReflect => "补学第二步：写下心得体会并提交，由组织者审核。", "Make-up, step 2: write your reflection and hand it in for an organiser to review.";
    MakeUpStepWait => "心得体会已提交，等待组织者审核。", "Your reflection is handed in and waits for an organiser.";
    MakeUpStepDone => "补学已通过。", "Your make-up is accepted.";
    MarkdownLabel => "内容（Markdown：# 标题、**加粗**、| 表格 |、[链接](https://…)）", "Text (Markdown: # heading, **bold**, | tables |, [links](https://…))";
    Preview => "预览", "Preview";
    SaveMaterial => "保存", "Save";
    SavedVersion => "已保存，版本", "Saved as version";
    BackToSession => "返回课程", "Back to the session";
    VersionHistory => "版本历史", "Version history";
    VersionLabel => "版本", "Version";
    CurrentVersion => "当前", "Current";
    CharsUnit => "字", "characters";
    RestoredFrom => "恢复自版本", "restored from version";
    ShowVersion => "查看内容", "Show the text";
    RestoreVersion => "恢复此版本", "Restore this version";
    UploadFile => "上传", "Upload";
    UploadHint => "PDF、Word、Excel、PowerPoint 或图片，每个文件不超过", "PDF, Word, Excel, PowerPoint or images, each file up to";
    Uploaded => "已上传：", "Uploaded:";
    Remove => "删除", "Remove";
    UpEmpty => "请选择一个文件。", "Choose a file first.";
    UpTooLarge => "文件太大，没有保存。每个文件最大", "The file is too large and was not saved. The largest allowed is";
    UpNotAllowed => "不支持这种文件，没有保存：只能上传 PDF、Office 文档或图片（按文件内容判断，不看扩展名）。", "This kind of file is not accepted and was not saved: only PDF, Office documents and images (judged by the content, not the name).";
    UpNameMismatch => "文件内容与扩展名不符，没有保存。文件内容实际是", "The file's content does not match its name and it was not saved. The content is";
    UpBadName => "文件名无效，没有保存。", "The file name is not usable; nothing was saved.";
    UpFailed => "上传失败，请检查网络后重试。", "The upload failed; check the connection and try again.";
    NavReview => "学习回顾", "Review";
    ReviewTitle => "我的往期课程", "My past sessions";
    NoPastSessions => "还没有已结束的课程。", "No finished sessions yet.";
    Newer => "较新", "Newer";
    Older => "更早", "Older";
    NavSearch => "搜索", "Search";
    SearchPlaceholder => "搜索课程、材料……", "Search sessions and materials…";
    HitSession => "课程", "Session";
    NoHits => "没有找到相关内容。", "Nothing found.";
    MoreHits => "只显示前 50 条结果，请加关键词缩小范围。", "Only the first 50 results are shown; add a word to narrow the search.";
    ErrStaleMaterial => "你打开编辑器后，有人保存了新版本。你的文字仍在编辑框中，没有覆盖任何内容：请先复制它，刷新页面后再合并修改。", "Someone saved a newer version after you opened the editor. Your text is still in the box and nothing was overwritten: copy it, reload the page, then merge your changes.";
    ErrReflectionClosed => "这篇心得体会已提交审核或已通过，不能再修改。", "This reflection is under review or accepted and can no longer be changed.";
    ErrReadFirst => "补学要先阅读材料：请先点“标记已读”。", "A make-up starts with the material: press “Mark as read” first.";
    FpOutlooks => "请至少选择一个格局。", "Choose at least one outlook.";
    FpMaterialLong => "材料太长（最多 20 万字），没有保存。", "The material is too long (at most 200,000 characters); nothing was saved.";
    FpComment => "点评不能为空，最多 2000 字。", "A comment cannot be empty and has at most 2,000 characters.";
    FpQuery => "请输入搜索词（最多 100 字）。", "Type what to search for (at most 100 characters).";
    ProbNotAllowed => "不是可选的值。", "Not one of the choices.";
    ProbNotANetwork => "不是网络地址：请按 192.168.1.0/24 的格式填写，每行一个。", "Not a network address: write them like 192.168.1.0/24, one per line.";
    DoorSettingsTitle => "签到安全", "Check-in safeguards";
    VenueNetworksLabel => "场地网络（可选）", "Venue networks (optional)";
    VenueNetworksHint => "会场 Wi-Fi 的地址段，每行一个，如 192.168.1.0/24。填写后，从别处签到的记录会在签到表上标出（只作提示，不会拒绝）。", "The address ranges of the hall's Wi-Fi, one per line, e.g. 192.168.1.0/24. Check-ins from elsewhere are then noted on the sheet (a note, never a refusal).";
    ConfirmWalkInsLabel => "名单外的人签到，经组织者确认后才计入学时", "Walk-ins outside the audience earn hours only once an organiser confirms them";
    MakeUpRequests => "补学申请", "Make-up requests";
    MakeUpShareHint => "补学获得学时比例：", "Make-up earns this share of the hours:";
    MakeUpShareLabel => "补学学时比例", "Make-up share of hours";
    MarkRestAbsent => "未签到的全部记为缺勤", "Mark everyone not checked in absent";
    MyAttendance => "我的考勤", "My attendance";
    Name => "姓名", "Name";
    NavMyAttendance => "我的考勤", "My attendance";
    NavReports => "考勤报表", "Reports";
    NavRequests => "请假补学", "Leave & make-up";
    NoChanges => "还没有修改记录。", "No changes yet.";
    NoSessions => "这段时间没有已结束的课程。", "No finished sessions in this period.";
    NotYetArrived => "未签到", "Not checked in";
    NothingPending => "暂无申请。", "No requests.";
    OpenDoor => "投屏签到", "Door screen";
    OpensMinutesBefore => "开课前多少分钟开放签到", "Check-in opens (minutes before start)";
    Pending => "待审批", "Pending";
    Print => "打印", "Print";
    Reflection => "心得体会", "Reflection";
    ReportsTitle => "考勤报表", "Attendance reports";
    RequestsTitle => "请假与补学", "Leave and make-up";
    Session => "课程", "Session";
    Show => "查看", "Show";
    To => "到", "To";
    TypeCodeHint => "扫不了二维码？选择今晚的课程，输入投屏上显示的八位签到码。", "Can't scan? Pick tonight's session and type the eight-digit code shown on the screen.";
    WhichSession => "签到的课程", "Session you are at";
    NoOpenDoor => "现在没有正在签到的课程。签到在开课前 30 分钟开始。", "No session is open for check-in now. Check-in opens 30 minutes before the start.";
    CheckinTooManyTries => "签到码输错次数过多，请稍等几分钟再试，或扫描二维码签到。", "Too many wrong codes. Wait a few minutes, or scan the QR code instead.";
    CheckinAwaiting => "已收到。你不在本期的参训名单中，组织者确认后才计入学时。", "Received. You are not on this session's list: the hours count once an organiser confirms.";
    CheckinChooseSession => "现在有几场课程同时签到，请先选择你参加的课程。", "Several sessions are open for check-in: pick the one you are at first.";
    WalkInsAwaiting => "待确认", "To confirm";
    WrongCodes => "错误签到码", "Wrong codes";
    ConfirmWalkIn => "确认参加", "Confirm";
    DismissWalkIn => "不予确认", "Dismiss";
    WalkInClaimsTitle => "名单外签到，待确认", "Walk-ins waiting for confirmation";
    WalkInClaimsHint => "这些人不在本期的参训名单中。确认后记为计划外参加并计入学时。", "These people are not on the session's list. Once confirmed they count as walk-ins and earn the hours.";
    FlagSharedDevice => "同一设备", "Same device";
    FlagSharedAddress => "同一地址", "Same address";
    FlagOutsideVenue => "场地网络外", "Outside the venue network";
    ReasonQr => "扫码签到", "Scanned the QR code";
    ReasonCode => "输入签到码", "Typed the code";
    ReasonWalkInConfirmed => "组织者确认计划外参加", "Walk-in confirmed by an organiser";
    ReasonLeaveApproved => "请假获批", "Leave approved";
    TypeCodeInstead => "输入签到码", "Type the code";
    WalkIn => "计划外", "Walk-in";
    WalkIns => "计划外", "Walk-ins";
    YearWorkbook => "全年考勤 XLSX", "Whole year (XLSX)";
    NavSessions => "课程", "Sessions";
    NavCalendar => "日历", "Calendar";
    NavSettings => "课程设置", "Settings";
    NavFeed => "日历订阅", "Calendar feed";
    SessionsTitle => "课程", "Sessions";
    WhenUpcoming => "即将开始", "Upcoming";
    WhenPast => "已结束", "Past";
    FilterAny => "全部", "Any";
    ApplyFilter => "筛选", "Filter";
    ClearFilter => "清除筛选", "Clear";
    NextPage => "下一页", "Next page";
    PrevPage => "上一页", "Previous page";
    NoSessionsFound => "没有符合条件的课程。", "No sessions match.";
    CalendarTitle => "课程日历", "Calendar";
    WeekView => "周", "Week";
    MonthView => "月", "Month";
    Today => "今天", "Today";
    PrevWeek => "上一周", "Previous week";
    NextWeek => "下一周", "Next week";
    PrevMonth => "上个月", "Previous month";
    NextMonth => "下个月", "Next month";
    NothingThisDay => "无课程", "Nothing";
    SessionsThisView => "本页课程数：", "Sessions shown: ";
    Series => "系列", "Series";
    NamedPeople => "指定人员", "Named people";
    NamedPeopleCount => "另有指定人员（人数）：", "Also named people: ";
    CancelReasonShown => "取消原因：", "Reason: ";
    ClashOverrideShown => "冲突后仍安排的理由：", "Booked despite a clash because: ";
    HoursSetByHand => "（手动设定）", " (set by hand)";
    NoDescription => "暂无简介。", "No description yet.";
    EditSession => "修改", "Edit";
    DuplicateSession => "复制为新课程", "Duplicate";
    Details => "详情", "Details";
    EditTitle => "修改课程", "Edit session";
    DuplicateTitle => "复制课程", "Duplicate session";
    ScopeLabel => "修改范围", "Apply to";
    ScopeThis => "仅这一期", "This session only";
    ScopeFollowing => "这一期及以后各期", "This and the following sessions";
    UpdatedSessions => "已修改课程期数：", "Sessions changed: ";
    ViewIt => "查看", "View";
    SearchPeople => "按姓名查找学员", "Find cadres by name";
    AddPerson => "添加", "Add";
    RemovePerson => "移除", "Remove";
    NoMatches => "没有找到。", "No one found.";
    SettingsTitle => "课程设置", "Programme settings";
    HoursRuleLabel => "多少分钟计 1 学时", "Minutes per study hour";
    HoursRuleHint => "只影响此后新排或修改的课程；已排课程的学时不变。", "Applies to sessions scheduled or edited from now on; planned sessions keep their hours.";
    ThemesTitle => "专题", "Themes";
    AddTheme => "添加专题", "Add theme";
    ThemeNameZh => "专题名称", "Theme name (Chinese)";
    ThemeNameEn => "英文名称（可不填）", "English name (optional)";
    OwnThemeAdd => "添加本街道专题", "Add a theme of this subdistrict";
    OwnThemeHint => "本街道专题只在本街道的课程中可选；全区共用的专题在“课程设置”中维护。", "A subdistrict's own theme is offered only for its sessions; the themes the whole district shares are kept under Settings.";
    OwnThemeAdded => "专题已添加，已在上方“专题”中选中。", "Theme added and chosen above.";
    FeedTitle => "日历订阅", "Calendar feed";
    FeedIntro => "把私人订阅地址添加到手机日历（“添加订阅日历”），课程的新增、调整和取消会自动同步。地址相当于钥匙，请勿转发。", "Add your private address to your phone's calendar (\"subscribe to calendar\"): new, changed and cancelled sessions follow by themselves. The address is a key: do not share it.";
    FeedNone => "您还没有订阅地址。", "You have no feed address.";
    FeedSince => "当前地址创建于：", "Current address made on: ";
    FeedMake => "生成订阅地址", "Make my address";
    FeedRenew => "重新生成（旧地址立即失效）", "Make a new one (the old one stops)";
    FeedRevoke => "停用订阅地址", "Turn the feed off";
    FeedSubscribe => "在本机日历中订阅", "Subscribe on this device";
    FeedShownOnce => "请现在复制：为安全起见，这个地址只显示这一次。", "Copy it now: for safety it is shown only this once.";
    ErrClashes => "讲师或地点在该时间已被其他课程占用，课程尚未保存。", "A lecturer or the place is booked by another session at that time; nothing was saved.";
    // Programme progress
    NavProgress => "我的进度", "My progress";
    NavProgramme => "培养计划", "Programme";
    ProgressTitle => "学习进度", "Progress";
    OutlookMet => "已达标", "Met";
    OutlookOnTrack => "进度正常", "On track";
    OutlookAtRisk => "有风险", "At risk";
    OutlookCannotReach => "无法达标", "Cannot reach";
    OutlookBehind => "落后", "Behind";
    MeasureHours => "学时", "Study hours";
    MeasureAttendance => "出勤率", "Attendance";
    MeasureReflections => "心得（已采纳）", "Reflections (accepted)";
    MeasureThemes => "必修主题", "Required themes";
    MeasureTeaching => "授课任务", "Teaching";
    MostReachable => "最多可达", "Most you can still reach:";
    YearSuffix => "年度", "";
    StarOfMonth => "本月学习之星", "Star of the month";
    StarPoints => "本月积分", "Points this month";
    StarHint => "积分：准时出勤 2 分，迟到或补学 1 分，心得被采纳 3 分。只显示本月最高分。", "Points: 2 for each session on time, 1 late or made up, 3 for each accepted reflection. Only the month's best is shown.";
    NoStarYet => "本月还没有积分。", "No points yet this month.";
    Points => "分", "points";
    WarnThreeMissed => "已连续三次缺课。", "Missed three sessions in a row.";
    WarnUnderMinimum => "出勤率低于本梯队要求。", "Attendance is under the tier's minimum.";
    WarnThreeMissedShort => "连续缺课", "3 missed";
    WarnUnderMinimumShort => "出勤不足", "Low attendance";
    NoRequirements => "本梯队暂未设定年度要求。", "This tier has no yearly requirements yet.";
    PromoteTo => "晋升为", "Promote to";
    Promote => "确认晋升", "Promote";
    PromotionNote => "备注", "Note";
    TierHistory => "梯队变动", "Tier history";
    DateLabel => "日期", "Date";
    TierLabel => "梯队", "Tier";
    TierChangeKind => "变动", "Change";
    ChangeJoined => "加入", "Joined";
    ChangePromoted => "晋升", "Promoted";
    ChangeMoved => "调整", "Moved";
    ChangeLeft => "退出", "Left";
    Ledger => "学时明细", "Hours ledger";
    Lectured => "授课", "Lectured";
    PrintDossier => "打印年度档案", "Print the annual dossier";
    ProgrammeTitle => "“535”雁阵培养计划", "535 Geese Formation programme";
    TierRequirements => "梯队要求", "Tier requirements";
    TierRequirementsHint => "每个梯队每年的要求；留空表示不作要求。年中加入的学员按剩余月份折算学时、心得和授课数。", "What each tier asks in a year; leave a field empty to ask nothing. Cadres who join during the year owe the share for the months left.";
    ImportCadres => "批量导入学员", "Import cadres";
    Year => "年份", "Year";
    ByTier => "按梯队", "By tier";
    HeadCount => "人数 / 目标", "Head-count / target";
    AttendanceTrend => "月度出勤率", "Monthly attendance";
    TrendHint => "每月已举行课程的出勤率（请假不计入）。", "Attendance at the sessions held each month (excused leave left out).";
    Warnings => "预警", "Warnings";
    PromotionCandidates => "晋升候选", "Promotion candidates";
    Cadres => "学员", "Cadres";
    NobodyHere => "暂无。", "Nobody.";
    OutlookLabel => "状态", "Standing";
    TargetCount => "目标人数", "Target head-count";
    MinAttendance => "最低出勤率（%）", "Minimum attendance (%)";
    CreditShares => "学时折算", "Hours credited";
    LateShareLabel => "迟到计入比例", "Late arrival earns";
    LecturingShareLabel => "授课计入比例", "Lecturing earns";
    CreditSharesHint => "按课程学时的比例计入，如 100%、1/2。补学比例在“设置”中修改。", "A share of the session's hours, such as 100% or 1/2. The make-up share is on the settings page.";
    AcceptReflection => "采纳心得", "Accept reflection";
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
    FpTargetCount => "目标人数请填 0 到 100000 的整数。", "The target head-count is a whole number from 0 to 100000.";
    FpRequiredHours => "年度学时请填不超过 200 的数字，最多一位小数。", "Yearly hours are a number up to 200 with at most one decimal.";
    FpAttendanceRate => "最低出勤率请填 0 到 100 的整数。", "The minimum attendance is a whole percent from 0 to 100.";
    FpReflectionCount => "心得篇数请填 0 到 100 的整数。", "Reflections are a whole number from 0 to 100.";
    FpTeaching => "授课次数请填 0 到 100 的整数。", "Teaching is a whole number from 0 to 100.";
    FpLateShare => "迟到计入比例请写成 100%、1/2 或 0.5 这样的比例。", "Write the late share such as 100%, 1/2 or 0.5.";
    FpLecturingShare => "授课计入比例请写成 100%、1/2 或 0.5 这样的比例。", "Write the lecturing share such as 100%, 1/2 or 0.5.";
    FpTier => "请选择存在的梯队。", "Choose an existing tier.";
    FpNote => "备注最多 500 字。", "A note has at most 500 characters.";
    FpTheme => "请选择存在的主题。", "Choose existing themes.";
    RulesOf => "适用范围", "Rules of";
    RulesDistrict => "全区（各街道默认）", "The district (every subdistrict's default)";
    RulesShow => "查看", "Show";
    RulesFollowDistrict => "本街道尚未单独设置，下面显示的是全区设置；在此保存即成为本街道自己的设置，只用于本街道的课程和学员。", "This subdistrict has set none of these itself: the district's values are shown. Saving here makes them the subdistrict's own, for its sessions and cadres only.";
    RulesOwn => "本街道已有自己的设置；没有单独设置的项目沿用全区设置。", "This subdistrict has set some of these itself; the rest follow the district.";
    RulesDistrictHint => "全区设置适用于所有没有单独设置的街道，以及全区专题班。", "The district's values apply to every subdistrict that has not set its own, and to district classes.";
    RulesReset => "恢复为全区设置", "Follow the district again";
}

impl Role {
    pub fn label(self) -> Key {
        match self {
            Role::Cadre => Key::RoleCadre,
            Role::Lecturer => Key::RoleLecturer,
            Role::Organiser => Key::RoleOrganiser,
            Role::Admin => Key::RoleAdmin,
        }
    }
}

impl SessionFormat {
    pub fn label(self) -> Key {
        match self {
            SessionFormat::Lecture => Key::FormatLecture,
            SessionFormat::SelfStudy => Key::FormatSelfStudy,
            SessionFormat::Scenario => Key::FormatScenario,
            SessionFormat::Forum => Key::FormatForum,
        }
    }
}

impl AttendanceStatus {
    pub fn label(self) -> Key {
        match self {
            AttendanceStatus::Present => Key::StatusPresent,
            AttendanceStatus::Late => Key::StatusLate,
            AttendanceStatus::Excused => Key::StatusExcused,
            AttendanceStatus::Absent => Key::StatusAbsent,
            AttendanceStatus::MadeUp => Key::StatusMadeUp,
        }
    }
}

impl AppError {
    pub fn label(&self) -> Key {
        match self {
            AppError::Unauthenticated => Key::ErrUnauthenticated,
            AppError::Forbidden => Key::ErrForbidden,
            AppError::NotFound => Key::ErrNotFound,
            AppError::Invalid(Invalid::Username) => Key::ErrUsername,
            AppError::Invalid(Invalid::DisplayName) => Key::ErrDisplayName,
            AppError::Invalid(Invalid::PasswordLength) => Key::ErrPasswordLength,
            AppError::Invalid(Invalid::PasswordMismatch) => Key::ErrPasswordMismatch,
            AppError::Invalid(Invalid::NoRole) => Key::ErrNoRole,
            AppError::Invalid(Invalid::CommonPassword) => Key::ErrCommonPassword,
            AppError::Invalid(Invalid::Date) => Key::ErrAuditFilter,
            AppError::Conflict(Conflict::UsernameTaken) => Key::ErrUsernameTaken,
            AppError::Conflict(Conflict::LastAdmin) => Key::ErrLastAdmin,
            AppError::Conflict(Conflict::OwnAccount) => Key::ErrOwnAccount,
            AppError::Conflict(Conflict::SessionCancelled) => Key::ErrSessionCancelled,
            AppError::Conflict(Conflict::ThemeExists) => Key::ErrThemeExists,
            AppError::Conflict(Conflict::NameTaken) => Key::ErrNameTaken,
            AppError::Conflict(Conflict::AlreadyAsked) => Key::ErrAlreadyAsked,
            AppError::Conflict(Conflict::LeaveClosed) => Key::ErrLeaveClosed,
            AppError::Conflict(Conflict::StaleMaterial) => Key::ErrStaleMaterial,
            AppError::Conflict(Conflict::ReflectionClosed) => Key::ErrReflectionClosed,
            AppError::Conflict(Conflict::ReadFirst) => Key::ErrReadFirst,
            AppError::Conflict(Conflict::ImportHasProblems) => Key::ErrImportHasProblems,
            AppError::Conflict(Conflict::AlreadyDecided) => Key::ErrAlreadyDecided,
            AppError::Conflict(Conflict::SessionNotOver) => Key::ErrSessionNotOver,
            AppError::WrongPassword => Key::ErrWrongPassword,
            AppError::WrongCode => Key::ErrWrongCode,
            AppError::TooManyTries(_) => Key::ErrTooManyTries,
            AppError::Busy => Key::ErrBusy,
            AppError::Form(_) => Key::ErrForm,
            AppError::Clashes(_) => Key::ErrClashes,
            AppError::Internal => Key::ErrInternal,
            AppError::Transport(_) => Key::ErrTransport,
        }
    }
}

impl crate::domain::session_draft::Problem {
    pub fn label(self) -> Key {
        use crate::domain::session_draft::Problem::*;
        match self {
            Required => Key::ProbRequired,
            TooLong => Key::ProbTooLong,
            NotADate => Key::ProbNotADate,
            NotATime => Key::ProbNotATime,
            EndNotAfterStart => Key::ProbEndNotAfterStart,
            NotANumber => Key::ProbNotANumber,
            NotALecturer => Key::ProbNotALecturer,
            EmptyAudience => Key::ProbEmptyAudience,
            Recurrence(_) => Key::ProbRecurrence,
            OutOfRange => Key::ProbOutOfRange,
            TooShort => Key::ProbTooShort,
            NotAllowed => Key::ProbNotAllowed,
            NotANetwork => Key::ProbNotANetwork,
        }
    }
}

impl crate::domain::session_draft::FieldProblem {
    /// The problem in words that name the field, for forms that show problems in a list.
    pub fn label(self) -> Key {
        use crate::domain::session_draft::{Field, Problem};
        match (self.field, self.problem) {
            (Field::CheckinOpens, _) => Key::FpCheckinOpens,
            (Field::LateAfter, _) => Key::FpLateAfter,
            (Field::LeaveCap, _) => Key::FpLeaveCap,
            (Field::MakeUpShare, _) => Key::FpMakeUpShare,
            (Field::DateRange, _) => Key::FpDateRange,
            (Field::Status, _) => Key::FpStatus,
            (Field::Reflection, Problem::TooShort) => Key::FpReflectionShort,
            (Field::Reflection, Problem::TooLong) => Key::FpTextLong,
            (Field::Reflection, _) => Key::FpTextRequired,
            (Field::Outlooks, _) => Key::FpOutlooks,
            (Field::Material, _) => Key::FpMaterialLong,
            (Field::Comment, _) => Key::FpComment,
            (Field::Query, _) => Key::FpQuery,
            (Field::TargetCount, _) => Key::FpTargetCount,
            (Field::RequiredHours, _) => Key::FpRequiredHours,
            (Field::AttendanceRate, _) => Key::FpAttendanceRate,
            (Field::ReflectionCount, _) => Key::FpReflectionCount,
            (Field::Teaching, _) => Key::FpTeaching,
            (Field::LateShare, _) => Key::FpLateShare,
            (Field::LecturingShare, _) => Key::FpLecturingShare,
            (Field::Tier, _) => Key::FpTier,
            (Field::Note, _) => Key::FpNote,
            (Field::Theme, Problem::NotAllowed) => Key::FpTheme,
            (_, problem) => problem.label(),
        }
    }
}

pub const ZH_DAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
pub const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// "5月12日 周二 19:00–21:00" or "Tue 12 May 19:00–21:00".
pub fn session_when(lang: Lang, start: Timestamp, end: Timestamp) -> String {
    use chrono::Datelike;
    const EN_MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let d = start.local();
    let wd = start.weekday_index();
    let times = format!("{}–{}", start.hh_mm(), end.hh_mm());
    match lang {
        Lang::Zh => format!(
            "{}年{}月{}日 {} {}",
            d.year(),
            d.month(),
            d.day(),
            ZH_DAYS[wd],
            times
        ),
        Lang::En => format!(
            "{} {} {} {} {}",
            EN_DAYS[wd],
            d.day(),
            EN_MONTHS[d.month0() as usize],
            d.year(),
            times
        ),
    }
}

/// The language signal every component reads.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

pub fn provide_i18n(initial: Lang) {
    provide_context(I18n(RwSignal::new(initial)));
}

pub fn use_lang() -> RwSignal<Lang> {
    use_context::<I18n>()
        .map(|i| i.0)
        .unwrap_or_else(|| RwSignal::new(Lang::Zh))
}

/// A reactive text for `key`: `{t(Key::Login)}` in a view.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || key.text(lang.get())
}

/// The language of this request: its cookie on the server, the rendered `<html lang>` in
/// the browser (so hydration starts from what the server rendered).
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(|v| crate::domain::cookie::cookie_in(v, LANG_COOKIE))
                    .map(Lang::from_code)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .map(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes() {
        assert_eq!(Lang::from_code("en"), Lang::En);
        assert_eq!(Lang::from_code("en-GB"), Lang::En);
        assert_eq!(Lang::from_code("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_code("fr"), Lang::Zh);
        assert_eq!(Lang::Zh.other(), Lang::En);
    }

    #[test]
    fn every_key_has_both_languages() {
        for key in [Key::AppName, Key::Login, Key::ErrBadCredentials, Key::Menu] {
            assert!(!key.text(Lang::Zh).is_empty());
            assert_ne!(key.text(Lang::Zh), key.text(Lang::En));
        }
    }

    #[test]
    fn session_times_read_naturally() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
        let start = Timestamp::from_local(d, 19, 0).unwrap();
        let end = Timestamp::from_local(d, 21, 0).unwrap();
        assert_eq!(
            session_when(Lang::Zh, start, end),
            "2026年5月12日 周二 19:00–21:00"
        );
        assert_eq!(
            session_when(Lang::En, start, end),
            "Tue 12 May 2026 19:00–21:00"
        );
    }
}
