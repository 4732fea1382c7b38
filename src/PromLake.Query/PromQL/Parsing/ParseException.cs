namespace PromLake.Query.PromQL.Parsing;

/// <summary>
/// A PromQL syntax or type error, with the position in the query it concerns.
/// The message reads as Prometheus's: <c>1:14: parse error: unexpected "}" …</c>.
/// </summary>
public sealed class ParseException : Exception
{
    public ParseException(string query, int start, int end, string detail)
        : base($"{Position(query, start)}: parse error: {detail}")
    {
        Query = query;
        Start = start;
        End = end;
        Detail = detail;
    }

    public string Query { get; }

    /// <summary>Offset of the first character concerned (0-based).</summary>
    public int Start { get; }

    public int End { get; }

    public string Detail { get; }

    /// <summary>"line:column", both 1-based.</summary>
    public static string Position(string query, int offset)
    {
        offset = Math.Clamp(offset, 0, query.Length);
        var line = 1;
        var col = 1;
        for (var i = 0; i < offset; i++)
        {
            if (query[i] == '\n')
            {
                line++;
                col = 1;
            }
            else
            {
                col++;
            }
        }

        return $"{line}:{col}";
    }
}
