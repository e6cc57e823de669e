//! Reading one cookie out of a `Cookie` header's value (`a=1; b=2`).

/// The value of the cookie `name` in one `Cookie` header value.
pub fn cookie_in<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_named_cookie() {
        assert_eq!(cookie_in("a=1; ns_lang=en; b=", "ns_lang"), Some("en"));
        assert_eq!(cookie_in("a=1;b=2", "b"), Some("2"));
        assert_eq!(cookie_in("xa=1", "a"), None);
        assert_eq!(cookie_in("", "a"), None);
    }
}
