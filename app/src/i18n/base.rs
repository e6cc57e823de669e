//! Messages for the app, languages, signing in and the errors every page may show.
//! The macro adds these lines to the list it is handed and passes it on (see `mod.rs`).
macro_rules! base_messages {
    ([$next:ident $(, $rest:ident)*] $($done:tt)*) => {
        $next! { [$($rest),*] $($done)*
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
        }
    };
}
