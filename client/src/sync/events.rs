//! Reading the server's event stream (`GET /api/v1/events`, server-sent
//! events): bytes arrive in arbitrary chunks; an event ends at a blank line
//! and its `data:` lines joined are its payload. Comments (keep-alives) and
//! events without data yield nothing.

/// Collects chunks and hands out complete events' data.
#[derive(Debug, Default)]
pub struct EventStreamReader {
    buf: String,
}

impl EventStreamReader {
    /// Adds a chunk; returns the data of every event it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.buf.push_str(&String::from_utf8_lossy(chunk));
        // Line endings may be CRLF (the specification allows it).
        if self.buf.contains('\r') {
            self.buf = self.buf.replace("\r\n", "\n");
        }
        let mut out = Vec::new();
        while let Some(end) = self.buf.find("\n\n") {
            let block: String = self.buf.drain(..end + 2).collect();
            let data: Vec<&str> = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if !data.is_empty() {
                out.push(data.join("\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_comments_and_multi_line_data() {
        let mut r = EventStreamReader::default();
        assert!(
            r.push(b": keep-alive\n\nevent: order\ndata: {\"a\"")
                .is_empty()
        );
        assert_eq!(r.push(b":1}\n\n"), vec!["{\"a\":1}".to_string()]);
        assert_eq!(
            r.push(b"data: one\r\ndata: two\r\n\r\ndata:x\n\n"),
            vec!["one\ntwo".to_string(), "x".to_string()]
        );
        assert!(r.push(b"event: ping\n\n").is_empty());
    }
}
