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
        NoticeLeaveApprovedSubject => "请假已批准：{}", "Leave approved: {}";
        NoticeLeaveDeclinedSubject => "请假未批准：{}", "Leave declined: {}";
        NoticeLeaveApprovedText => "您 {} 「{}」的请假已批准，可在课后补学。", "Your leave for “{1}” on {0} is approved; you can make it up afterwards.";
        NoticeLeaveDeclinedText => "您 {} 「{}」的请假未获批准，请按时参加。", "Your leave for “{1}” on {0} was declined; please attend.";
        NoticeMakeUpApprovedSubject => "补学已通过：{}", "Make-up accepted: {}";
        NoticeMakeUpDeclinedSubject => "补学未通过：{}", "Make-up not accepted: {}";
        NoticeMakeUpApprovedText => "您 {} 「{}」的补学心得已通过，记为已补学。", "Your make-up reflection for “{1}” on {0} is accepted.";
        NoticeMakeUpDeclinedText => "您 {} 「{}」的补学心得未通过，可修改后重新提交。", "Your make-up reflection for “{1}” on {0} was not accepted; you may revise and send it again.";
        NoticeSignature => "【夜校】", "[Night School] ";
        }
    };
}
