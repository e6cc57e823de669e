//! Messages for whose rules apply: the district's or a subdistrict's own, and the door key.
//! The macro adds these lines to the list it is handed and passes it on (see `mod.rs`).
macro_rules! rules_messages {
    ([$next:ident $(, $rest:ident)*] $($done:tt)*) => {
        $next! { [$($rest),*] $($done)*
        RulesOf => "适用范围", "Rules of";
        RulesDistrict => "全区（各街道默认）", "The district (every subdistrict's default)";
        RulesShow => "查看", "Show";
        RulesFollowDistrict => "本街道尚未单独设置，下面显示的是全区设置；在此保存即成为本街道自己的设置，只用于本街道的课程和学员。", "This subdistrict has set none of these itself: the district's values are shown. Saving here makes them the subdistrict's own, for its sessions and cadres only.";
        RulesOwn => "本街道已有自己的设置；没有单独设置的项目沿用全区设置。", "This subdistrict has set some of these itself; the rest follow the district.";
        RulesDistrictHint => "全区设置适用于所有没有单独设置的街道，以及全区专题班。", "The district's values apply to every subdistrict that has not set its own, and to district classes.";
        RulesReset => "恢复为全区设置", "Follow the district again";
        DoorKeyRenew => "更换签到密钥", "Renew the door key";
        DoorKeyRenewHint => "签到二维码和数字码由密钥签发。更换后，此前显示过的码立即失效，门口大屏会自动换成新码；只在怀疑码被转发或泄露时使用。", "The door's QR codes and typed codes are signed with this key. Renewing it makes every code shown so far stop working at once; the door boards switch to new codes by themselves. Use it only if codes may have been passed on or leaked.";
        }
    };
}
