"""Pure text helpers: Vietnamese folding, dates, URLs, plain text from HTML, search queries."""
