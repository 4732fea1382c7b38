using System.Text;

namespace PromLake.Query.PromQL.Parsing;

/// <summary>
/// Splits a PromQL query into tokens. Numbers immediately followed by a time unit are
/// durations (<c>5m</c>, <c>1h30m</c>); <c>#</c> starts a comment to the end of the line.
/// </summary>
public sealed class Lexer
{
    private readonly string _q;
    private int _pos;

    public Lexer(string query) => _q = query;

    public static List<Token> Tokenize(string query)
    {
        var lexer = new Lexer(query);
        var tokens = new List<Token>();
        while (true)
        {
            var t = lexer.Next();
            tokens.Add(t);
            if (t.Kind == TokenKind.Eof)
            {
                return tokens;
            }
        }
    }

    private ParseException Error(int start, string detail) => new(_q, start, _pos, detail);

    private Token Next()
    {
        SkipSpaceAndComments();
        if (_pos >= _q.Length)
        {
            return new Token(TokenKind.Eof, "", _pos, _pos);
        }

        var start = _pos;
        var c = _q[_pos];
        switch (c)
        {
            case '(':
                return Single(TokenKind.LeftParen);
            case ')':
                return Single(TokenKind.RightParen);
            case '{':
                return Single(TokenKind.LeftBrace);
            case '}':
                return Single(TokenKind.RightBrace);
            case '[':
                return Single(TokenKind.LeftBracket);
            case ']':
                return Single(TokenKind.RightBracket);
            case ',':
                return Single(TokenKind.Comma);
            case ':':
                return Single(TokenKind.Colon);
            case '@':
                return Single(TokenKind.At);
            case '+':
                return Single(TokenKind.Add);
            case '-':
                return Single(TokenKind.Sub);
            case '*':
                return Single(TokenKind.Mul);
            case '/':
                return Single(TokenKind.Div);
            case '%':
                return Single(TokenKind.Mod);
            case '^':
                return Single(TokenKind.Pow);
            case '=':
                if (Peek(1) == '=')
                {
                    return Double(TokenKind.Eql);
                }

                if (Peek(1) == '~')
                {
                    return Double(TokenKind.EqlRegex);
                }

                return Single(TokenKind.Assign);
            case '!':
                if (Peek(1) == '=')
                {
                    return Double(TokenKind.Neq);
                }

                if (Peek(1) == '~')
                {
                    return Double(TokenKind.NeqRegex);
                }

                _pos++;
                throw Error(start, "unexpected character after '!': " + Describe(Peek(0)));
            case '<':
                return Peek(1) switch
                {
                    '=' => Double(TokenKind.Lte),
                    '/' => Double(TokenKind.TrimUpper),
                    _ => Single(TokenKind.Lss),
                };
            case '>':
                return Peek(1) switch
                {
                    '=' => Double(TokenKind.Gte),
                    '/' => Double(TokenKind.TrimLower),
                    _ => Single(TokenKind.Gtr),
                };
            case '"':
            case '\'':
                return LexQuoted(c);
            case '`':
                return LexRaw();
        }

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
        {
            return LexNumberOrDuration();
        }

        if (char.IsAsciiLetter(c) || c == '_' || c == ':')
        {
            while (_pos < _q.Length && (char.IsAsciiLetterOrDigit(_q[_pos]) || _q[_pos] == '_' || _q[_pos] == ':'))
            {
                _pos++;
            }

            var word = _q[start.._pos];
            var kind = word.ToLowerInvariant() switch
            {
                "and" => TokenKind.And,
                "or" => TokenKind.Or,
                "unless" => TokenKind.Unless,
                "atan2" => TokenKind.Atan2,
                _ => TokenKind.Identifier,
            };
            return new Token(kind, word, start, _pos);
        }

        _pos++;
        throw Error(start, "unexpected character: " + Describe(c));
    }

    private static string Describe(char c) => c == '\0' ? "end of input" : "'" + c + "'";

    private char Peek(int ahead) => _pos + ahead < _q.Length ? _q[_pos + ahead] : '\0';

    private Token Single(TokenKind kind)
    {
        _pos++;
        return new Token(kind, _q[(_pos - 1).._pos], _pos - 1, _pos);
    }

    private Token Double(TokenKind kind)
    {
        _pos += 2;
        return new Token(kind, _q[(_pos - 2).._pos], _pos - 2, _pos);
    }

    private void SkipSpaceAndComments()
    {
        while (_pos < _q.Length)
        {
            var c = _q[_pos];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (_pos < _q.Length && _q[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private Token LexNumberOrDuration()
    {
        var start = _pos;
        if (_q[_pos] == '0' && (Peek(1) == 'x' || Peek(1) == 'X') && char.IsAsciiHexDigit(Peek(2)))
        {
            _pos += 2;
            while (_pos < _q.Length && (char.IsAsciiHexDigit(_q[_pos]) || (_q[_pos] == '_' && char.IsAsciiHexDigit(Peek(1)))))
            {
                _pos++;
            }

            return FinishNumber(start);
        }

        // A duration: digits followed by a unit, repeated (1h30m, 5m, 100ms).
        var durEnd = ScanDuration(_pos);
        if (durEnd > 0)
        {
            _pos = durEnd;
            return new Token(TokenKind.Duration, _q[start.._pos], start, _pos);
        }

        ScanDigits();
        if (Peek(0) == '.')
        {
            _pos++;
            ScanDigits();
        }

        if ((Peek(0) == 'e' || Peek(0) == 'E') &&
            (char.IsAsciiDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && char.IsAsciiDigit(Peek(2)))))
        {
            _pos += 2;
            ScanDigits();
        }

        return FinishNumber(start);
    }

    private Token FinishNumber(int start)
    {
        if (_pos < _q.Length && (char.IsAsciiLetterOrDigit(_q[_pos]) || _q[_pos] == '_' || _q[_pos] == '.'))
        {
            while (_pos < _q.Length && (char.IsAsciiLetterOrDigit(_q[_pos]) || _q[_pos] == '_' || _q[_pos] == '.'))
            {
                _pos++;
            }

            throw Error(start, $"bad number or duration syntax: \"{_q[start.._pos]}\"");
        }

        return new Token(TokenKind.Number, _q[start.._pos], start, _pos);
    }

    private void ScanDigits()
    {
        while (_pos < _q.Length && (char.IsAsciiDigit(_q[_pos]) || (_q[_pos] == '_' && char.IsAsciiDigit(Peek(1)) && _pos > 0 && char.IsAsciiDigit(_q[_pos - 1]))))
        {
            _pos++;
        }
    }

    /// <summary>Returns the end of a duration starting at <paramref name="p"/>, or 0 when none is there.</summary>
    private int ScanDuration(int p)
    {
        var end = 0;
        while (p < _q.Length && char.IsAsciiDigit(_q[p]))
        {
            var d = p;
            while (d < _q.Length && char.IsAsciiDigit(_q[d]))
            {
                d++;
            }

            var u = d;
            while (u < _q.Length && char.IsAsciiLetter(_q[u]))
            {
                u++;
            }

            var unit = _q[d..u];
            if (unit is not ("ms" or "s" or "m" or "h" or "d" or "w" or "y"))
            {
                break;
            }

            end = u;
            p = u;
        }

        if (end > 0 && end < _q.Length && (char.IsAsciiLetterOrDigit(_q[end]) || _q[end] is '_' or '.'))
        {
            return 0;
        }

        return end;
    }

    private Token LexRaw()
    {
        var start = _pos;
        _pos++;
        var end = _q.IndexOf('`', _pos);
        if (end < 0)
        {
            _pos = _q.Length;
            throw Error(start, "unterminated raw string");
        }

        var text = _q[_pos..end];
        _pos = end + 1;
        return new Token(TokenKind.String, text, start, _pos);
    }

    private Token LexQuoted(char quote)
    {
        var start = _pos;
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _q.Length || _q[_pos] == '\n')
            {
                throw Error(start, "unterminated quoted string");
            }

            var c = _q[_pos];
            if (c == quote)
            {
                _pos++;
                return new Token(TokenKind.String, sb.ToString(), start, _pos);
            }

            if (c != '\\')
            {
                sb.Append(c);
                _pos++;
                continue;
            }

            _pos++;
            if (_pos >= _q.Length)
            {
                throw Error(start, "unterminated quoted string");
            }

            var e = _q[_pos++];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'x':
                    AppendByteEscapes(sb, ReadHex(2, start), start);
                    break;
                case 'u':
                    sb.Append(char.ConvertFromUtf32(ReadHex(4, start)));
                    break;
                case 'U':
                    sb.Append(char.ConvertFromUtf32(ReadHex(8, start)));
                    break;
                case >= '0' and <= '7':
                    _pos--;
                    AppendByteEscapes(sb, ReadOctal(start), start);
                    break;
                default:
                    throw Error(_pos - 2, $"unknown escape sequence '\\{e}'");
            }
        }
    }

    /// <summary>
    /// \xNN and \NNN give raw bytes, as in Go; consecutive ones are decoded together as UTF-8.
    /// </summary>
    private void AppendByteEscapes(StringBuilder sb, int first, int start)
    {
        var bytes = new List<byte> { (byte)first };
        while (_pos + 1 < _q.Length && _q[_pos] == '\\' && (_q[_pos + 1] == 'x' || (_q[_pos + 1] >= '0' && _q[_pos + 1] <= '7')))
        {
            if (_q[_pos + 1] == 'x')
            {
                _pos += 2;
                bytes.Add((byte)ReadHex(2, start));
            }
            else
            {
                _pos += 1;
                bytes.Add((byte)ReadOctal(start));
            }
        }

        sb.Append(DecodeBytes([.. bytes]));
    }

    /// <summary>Decodes UTF-8; a byte that is not valid UTF-8 becomes U+DC80+byte ("surrogate escape"), so it survives to a message.</summary>
    internal static string DecodeBytes(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            var sb = new StringBuilder();
            foreach (var b in bytes)
            {
                sb.Append(b < 0x80 ? (char)b : (char)(0xDC00 + b));
            }

            return sb.ToString();
        }
    }

    private int ReadHex(int digits, int start)
    {
        var v = 0;
        for (var i = 0; i < digits; i++)
        {
            if (_pos >= _q.Length || !char.IsAsciiHexDigit(_q[_pos]))
            {
                throw Error(start, "invalid hexadecimal escape in string");
            }

            v = v * 16 + Convert.ToInt32(_q[_pos].ToString(), 16);
            _pos++;
        }

        return v;
    }

    private int ReadOctal(int start)
    {
        var v = 0;
        for (var i = 0; i < 3; i++)
        {
            if (_pos >= _q.Length || _q[_pos] < '0' || _q[_pos] > '7')
            {
                throw Error(start, "invalid octal escape in string");
            }

            v = v * 8 + (_q[_pos] - '0');
            _pos++;
        }

        if (v > 255)
        {
            throw Error(start, "octal escape value > 255");
        }

        return v;
    }
}
