//! What the audit log records: a kind and an outcome, stored as codes and translated when
//! shown, so a line written in one language reads in the other.
use serde::{Deserialize, Serialize};

use super::Timestamp;

macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|k| k.code() == s)
            }
        }
    };
}

codes! {
    /// What happened.
    AuditKind {
        LoginSucceeded = "login.ok",
        LoginFailed = "login.failed",
        LoginThrottled = "login.throttled",
        LoginBusy = "login.busy",
        LoginDisabled = "login.disabled",
        Logout = "logout",
        PasswordChanged = "password.changed",
        PasswordChangeRefused = "password.refused",
        PasswordReset = "password.reset",
        AccountCreated = "account.created",
        RolesChanged = "account.roles",
        AccountDisabled = "account.disabled",
        AccountEnabled = "account.enabled",
        SettingsChanged = "settings.changed",
        TierRequirementsChanged = "tiers.changed",
        ConversionsChanged = "claims.conversions",
        IndicatorsChanged = "evaluation.indicators",
        CertificateIssued = "certificate.issued",
        CertificateRevoked = "certificate.revoked",
        CertificateUnknown = "certificate.unknown",
        CertificateThrottled = "certificate.throttled",
        Promoted = "programme.promoted",
        ImportConfirmed = "import.confirmed",
        ImportRefused = "import.refused",
        Exported = "export",
        FileDownloaded = "file.downloaded",
        DoorWrongCode = "door.wrong_code",
        DoorForged = "door.forged",
        DoorThrottled = "door.throttled",
        WalkInConfirmed = "door.walk_in_confirmed",
        CrossOriginRefused = "request.cross_origin",
        AuditDownloaded = "audit.downloaded",
        OrganisationChanged = "organisation.changed",
        BackupMade = "backup.made",
        BackupDownloaded = "backup.downloaded",
        BackupRestored = "backup.restored",
        LoginCodeAsked = "login.code_asked",
        LoginCodeFailed = "login.code_failed",
        RecoveryCodeUsed = "login.recovery_code",
        SecondFactorEnabled = "factor.enabled",
        SecondFactorReset = "factor.reset",
        RecoveryCodesRenewed = "factor.recovery_renewed",
        LoginIdentityRefused = "login.identity_refused",
        IdentityLinked = "account.identity_linked",
        IdentityUnlinked = "account.identity_unlinked",
    }
}

codes! {
    /// How it ended.
    AuditOutcome {
        Ok = "ok",
        Refused = "refused",
        Failed = "failed",
    }
}

impl AuditKind {
    /// What the admin page shows: Chinese, English.
    pub fn words(self) -> (&'static str, &'static str) {
        use AuditKind::*;
        match self {
            LoginSucceeded => ("登录成功", "Signed in"),
            LoginFailed => ("登录失败", "Sign-in failed"),
            LoginThrottled => ("登录尝试过多被暂停", "Sign-ins paused after too many tries"),
            LoginBusy => ("服务器繁忙，登录未处理", "Sign-in not handled: server busy"),
            LoginDisabled => ("停用账号尝试登录", "Sign-in to a disabled account"),
            Logout => ("退出登录", "Signed out"),
            PasswordChanged => ("修改密码", "Changed password"),
            PasswordChangeRefused => ("修改密码被拒绝", "Password change refused"),
            PasswordReset => ("管理员重设密码", "Password reset by an admin"),
            AccountCreated => ("创建账号", "Account created"),
            RolesChanged => ("修改角色", "Roles changed"),
            AccountDisabled => ("停用账号", "Account disabled"),
            AccountEnabled => ("启用账号", "Account enabled"),
            SettingsChanged => ("修改设置", "Settings changed"),
            TierRequirementsChanged => ("修改梯队要求", "Tier requirements changed"),
            ConversionsChanged => ("修改学时折算标准", "Conversion table changed"),
            IndicatorsChanged => ("修改课程评价指标", "Evaluation indicators changed"),
            CertificateIssued => ("颁发证书", "Certificate issued"),
            CertificateRevoked => ("撤销证书", "Certificate revoked"),
            CertificateUnknown => (
                "查验不存在的证书编号",
                "Unknown certificate serial looked up",
            ),
            CertificateThrottled => ("证书查验过于频繁", "Certificate lookups throttled"),
            Promoted => ("梯队晋升", "Promoted"),
            ImportConfirmed => ("批量导入", "Import written"),
            ImportRefused => ("导入文件被拒绝", "Import file refused"),
            Exported => ("导出数据", "Data exported"),
            FileDownloaded => ("下载附件", "Attachment downloaded"),
            DoorWrongCode => ("签到码错误", "Wrong door code"),
            DoorForged => ("伪造的签到二维码", "Forged door QR code"),
            DoorThrottled => (
                "签到码尝试过多被暂停",
                "Door codes paused after too many tries",
            ),
            WalkInConfirmed => ("处理名单外签到", "Walk-in decided"),
            CrossOriginRefused => ("拒绝跨站请求", "Cross-site request refused"),
            AuditDownloaded => ("下载安全日志", "Audit log downloaded"),
            OrganisationChanged => ("修改组织架构", "Organisation changed"),
            BackupMade => ("生成备份", "Backup made"),
            BackupDownloaded => ("下载备份", "Backup downloaded"),
            BackupRestored => ("从备份恢复", "Restored from a backup"),
            LoginCodeAsked => (
                "密码正确，等待动态验证码",
                "Password right, waiting for the code",
            ),
            LoginCodeFailed => ("动态验证码错误", "Wrong sign-in code"),
            RecoveryCodeUsed => ("使用恢复码登录", "Signed in with a recovery code"),
            SecondFactorEnabled => ("开启两步验证", "Two-step verification set up"),
            SecondFactorReset => ("重置两步验证", "Two-step verification reset"),
            RecoveryCodesRenewed => ("重新生成恢复码", "Recovery codes renewed"),
            LoginIdentityRefused => (
                "统一身份认证登录被拒绝",
                "Sign-in through the identity provider refused",
            ),
            IdentityLinked => ("关联统一身份", "Identity-provider account linked"),
            IdentityUnlinked => ("解除统一身份关联", "Identity-provider link removed"),
        }
    }
}

/// One line for the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: Timestamp,
    /// The account acting, when known (an anonymous login try has none).
    pub actor: Option<i64>,
    pub kind: AuditKind,
    /// What it was done to, as `kind:id` (`account:7`, `session:12`) or a user name tried.
    pub target: String,
    pub address: String,
    pub user_agent: String,
    pub outcome: AuditOutcome,
    /// Arguments as JSON (`{"roles":["cadre"]}`), never a sentence.
    pub detail: String,
}

/// A stored audit line, with the actor's user name for display.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    pub line: AuditLine,
    pub actor_username: Option<String>,
}

/// The admin page's filter, as its query string carries it: a user name, a kind code,
/// dates (YYYY-MM-DD, Asia/Shanghai, both days included) and the id to page from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub user: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub before: Option<i64>,
}

/// How long audit lines are kept at least, in days, unless configured otherwise.
pub const DEFAULT_RETENTION_DAYS: i64 = 180;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for kind in AuditKind::ALL {
            assert!(seen.insert(kind.code()), "{kind:?}");
            assert_eq!(AuditKind::parse(kind.code()), Some(*kind));
        }
        assert_eq!(AuditOutcome::parse("refused"), Some(AuditOutcome::Refused));
        assert_eq!(AuditKind::parse("nonsense"), None);
    }
}
