//! A cursor over one line. It only ever moves by whole characters, so every slice taken at its
//! position is on a char boundary. Parsers that fail leave it where it was (`attempt`).

#[derive(Clone, Copy)]
pub(super) struct Cur<'a> {
    pub(super) s: &'a str,
    pub(super) i: usize,
}

impl<'a> Cur<'a> {
    pub(super) fn rest(&self) -> &'a str {
        self.s.get(self.i..).unwrap_or("")
    }
    pub(super) fn peek(&self) -> Option<char> {
        // ASCII without decoding: this runs for every character of every timeline line
        match *self.s.as_bytes().get(self.i)? {
            b if b.is_ascii() => Some(b as char),
            _ => self.rest().chars().next(),
        }
    }
    pub(super) fn bump(&mut self) {
        self.i += self.peek().map_or(0, char::len_utf8);
    }
    /// Runs `f`; when it fails, the cursor goes back to where it was.
    pub(super) fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let save = *self;
        let found = f(self);
        if found.is_none() {
            *self = save;
        }
        found
    }
    pub(super) fn opt(&mut self, f: impl FnOnce(&mut Self) -> bool) -> bool {
        self.attempt(|c| f(c).then_some(())).is_some()
    }
    pub(super) fn eat_str(&mut self, t: &str) -> bool {
        let hit = self.rest().starts_with(t);
        self.i += if hit { t.len() } else { 0 };
        hit
    }
    pub(super) fn eat(&mut self, c: char) -> bool {
        self.eat_str(c.encode_utf8(&mut [0; 4]))
    }
    /// An ASCII word, case-insensitively, not followed by a letter or digit.
    pub(super) fn eat_word_ci(&mut self, w: &str) -> bool {
        let r = self.rest();
        let hit = r.get(..w.len()).is_some_and(|p| p.eq_ignore_ascii_case(w))
            && !r[w.len()..].starts_with(char::is_alphanumeric);
        self.i += if hit { w.len() } else { 0 };
        hit
    }
    pub(super) fn ws(&mut self) {
        self.take_while(|c| c == ' ' || c == '\t');
    }
    pub(super) fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let st = self.i;
        while self.peek().is_some_and(&f) {
            self.bump();
        }
        &self.s[st..self.i]
    }
    /// A run of ASCII digits: (value, digit count); at most 9 digits.
    pub(super) fn num(&mut self) -> Option<(u32, usize)> {
        self.attempt(|c| {
            let d = c.take_while(|ch| ch.is_ascii_digit());
            Some((d.parse().ok().filter(|_| d.len() <= 9)?, d.len()))
        })
    }
}
