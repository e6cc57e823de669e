//! Messages for the programme: progress, tiers, promotions and their form problems.
//! The macro adds these lines to the list it is handed and passes it on (see `mod.rs`).
macro_rules! progress_messages {
    ([$next:ident $(, $rest:ident)*] $($done:tt)*) => {
        $next! { [$($rest),*] $($done)*
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
        MostReachable => "最多可达 {}", "Most you can still reach: {}";
        YearOf => "{}年度", "{}";
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
        PromoteTo => "晋升为{}", "Promote to {}";
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
        }
    };
}
