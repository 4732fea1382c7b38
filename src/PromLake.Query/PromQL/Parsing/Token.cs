namespace PromLake.Query.PromQL.Parsing;

public enum TokenKind
{
    Eof,
    Identifier,
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    At,
    Assign,

    // Operators.
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eql,
    Neq,
    Lss,
    Lte,
    Gtr,
    Gte,
    EqlRegex,
    NeqRegex,

    // Histogram trim operators (experimental): "</" keeps observations up to, ">/" from a threshold.
    TrimUpper,
    TrimLower,

    // Word operators, recognised by the lexer case-insensitively as Prometheus does.
    And,
    Or,
    Unless,
    Atan2,
}

/// <summary>A lexed token; <see cref="Text"/> is the source text (for strings: the unquoted value).</summary>
public readonly record struct Token(TokenKind Kind, string Text, int Start, int End)
{
    public override string ToString() => Kind switch
    {
        TokenKind.Eof => "end of input",
        TokenKind.String => "string \"" + Text + "\"",
        TokenKind.Number => "number \"" + Text + "\"",
        TokenKind.Duration => "duration \"" + Text + "\"",
        TokenKind.Identifier => "identifier \"" + Text + "\"",
        _ => "\"" + Text + "\"",
    };
}
