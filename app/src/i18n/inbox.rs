//! Messages for the inbox (站内消息) and the notices pushed to phones, mail and work groups.
//! The macro adds these lines to the list it is handed and passes it on (see `mod.rs`).
macro_rules! inbox_messages {
    ([$next:ident $(, $rest:ident)*] $($done:tt)*) => {
        $next! { [$($rest),*] $($done)*
        NavInbox => "消息", "Messages";
        InboxTitle => "站内消息", "Messages";
        InboxUnread => "{} 条未读", "{} unread";
        InboxEmpty => "暂无消息。", "No messages yet.";
        InboxMarkRead => "标为已读", "Mark as read";
        InboxMarkAllRead => "全部标为已读", "Mark all as read";
        InboxRead => "已读", "Read";
        InboxNew => "未读", "New";
        InboxOpenSession => "查看课程", "Open the session";
        InboxMore => "更早的消息", "Older messages";
        InboxMarked => "已标为已读。", "Marked as read.";
        NoticeMovedSubject => "课程调整：{}", "Session changed: {}";
        NoticeMovedText => "「{}」改为 {}，地点：{}（原定 {}，{}）。", "“{}” is now {}, at {} (was {}, at {}).";
        NoticeCancelledSubject => "课程取消：{}", "Session cancelled: {}";
        NoticeCancelledText => "原定 {} 的「{}」已取消。原因：{}", "“{1}” on {0} is cancelled. Reason: {2}";
        NoticeTomorrowSubject => "明日课程：{}", "Tomorrow: {}";
        NoticeTomorrowText => "「{}」将于 {} 在 {} 举行。如需请假，请在开课前提出。", "“{}” takes place {} at {}. To ask for leave, do so before it starts.";
        NoticeNotCheckedInSubject => "尚未签到：{}", "Not checked in: {}";
        NoticeNotCheckedInText => "「{}」已于 {} 在 {} 开始，您还没有签到。已到场请扫码签到；来不了请向组织员说明。", "“{}” began at {} at {} and you have not checked in. If you are there, scan the code; if you cannot come, tell the organiser.";
        LateReminderTitle => "开课后提醒未签到学员", "Remind those not checked in";
        LateReminderHint => "开课 15 分钟后，给还没有签到、也没有请假的学员发一条提醒（站内消息，并按开通的方式推送）。每期课程单独开启。", "A quarter of an hour after the start, those neither checked in nor on leave get one reminder (in their messages, and pushed through the channels in use). Switched on session by session.";
        LateReminderOn => "已开启：开课 15 分钟后提醒。", "On: a reminder goes a quarter of an hour after the start.";
        LateReminderOff => "未开启。", "Off.";
        LateReminderSwitchOn => "开启提醒", "Switch on";
        LateReminderSwitchOff => "关闭提醒", "Switch off";
        NoticeLeaveApprovedSubject => "请假已批准：{}", "Leave approved: {}";
        NoticeLeaveDeclinedSubject => "请假未批准：{}", "Leave declined: {}";
        NoticeLeaveApprovedText => "您 {} 「{}」的请假已批准，可在课后补学。", "Your leave for “{1}” on {0} is approved; you can make it up afterwards.";
        NoticeLeaveDeclinedText => "您 {} 「{}」的请假未获批准，请按时参加。", "Your leave for “{1}” on {0} was declined; please attend.";
        NoticeMakeUpApprovedSubject => "补学已通过：{}", "Make-up accepted: {}";
        NoticeMakeUpDeclinedSubject => "补学未通过：{}", "Make-up not accepted: {}";
        NoticeMakeUpApprovedText => "您 {} 「{}」的补学心得已通过，记为已补学。", "Your make-up reflection for “{1}” on {0} is accepted.";
        NoticeMakeUpDeclinedText => "您 {} 「{}」的补学心得未通过，可修改后重新提交。", "Your make-up reflection for “{1}” on {0} was not accepted; you may revise and send it again.";
        InboxSettingsLink => "消息设置", "Message settings";
        PrefsTitle => "消息设置", "Message settings";
        PrefsIntro => "所有通知都会进入站内消息。除此之外，课程变动、取消和您本人请假、补学的审批结果，会按本系统开通的方式（短信、邮件）推送给您；其他提醒每人每周最多 {0} 条、同一期课程最多 {1} 条，{2}—{3} 之间不推送。", "Every notice lands in your messages here. Besides, changes and cancellations of sessions and decisions on your own leave and make-up requests are pushed to you through the channels this installation uses (text message, e-mail); other reminders at most {0} a week and {1} per session, and none between {2} and {3}.";
        PrefsEmail => "电子邮箱（选填，用于接收邮件通知）", "E-mail address (optional, for notices by e-mail)";
        PrefsPhone => "手机号：{}（如需更改，请联系组织员）", "Phone: {} (ask an organiser to change it)";
        PrefsNoPhone => "未登记手机号。", "No phone number on record.";
        PrefsOptOut => "只推送必要通知（课程变动、取消及审批结果），其他提醒只放在站内消息", "Push only what I must know (changes, cancellations and decisions); keep other reminders in my messages here";
        PrefsSaved => "已保存。", "Saved.";
        ErrEmail => "邮箱格式不正确，设置未更改。", "That is not an e-mail address; nothing was changed.";
        ErrBudget => "推送上限须为每周 1–21 条、每期课程 1–5 条，免打扰时间写作“时:分”，设置未更改。", "Pushes must be 1–21 a week and 1–5 per session, and quiet hours written as HH:MM; nothing was changed.";
        BudgetTitle => "消息推送", "Messages pushed";
        BudgetHint => "减轻基层负担：每人推送有上限，超出部分只进站内消息；免打扰时段内不推送（到时再发）。课程变动、取消和审批结果不受上限限制。", "To spare the cadres: pushes per person are capped, and beyond the cap a notice stays in the inbox; nothing is pushed in the quiet hours (it waits). Changes, cancellations and decisions are not capped.";
        BudgetPerWeek => "每人每周最多推送", "Pushes per person a week, at most";
        BudgetPerSession => "同一期课程最多推送", "Pushes about one session, at most";
        BudgetQuietFrom => "免打扰开始", "Quiet from";
        BudgetQuietTo => "免打扰结束", "Quiet until";
        BudgetStar => "在学习进度中显示“本月之星”", "Show the star of the month on the progress pages";
        BudgetOnlyDistrict => "只有全区的组织员可以修改这些设置。", "Only organisers of the whole district may change these.";
        BudgetSaved => "已保存。", "Saved.";
        BudgetMonths => "每月推送（人均）", "Pushed per cadre, by month";
        BudgetMonth => "{0}年{1}月：推送 {2} 条，人均 {3} 条；站内消息 {4} 条", "{1}/{0}: {2} pushed, {3} per cadre; {4} in inboxes";
        NoticeSignature => "【夜校】", "[Night School] ";
        }
    };
}
