using System.Text.RegularExpressions;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.Tests.PromQLTest;

public abstract record ScriptCommand(int Line);

public sealed record ClearCommand(int Line) : ScriptCommand(Line);

public sealed record LoadCommand(int Line, long IntervalMs, List<(Labels Metric, List<SequenceValue> Values)> Series, bool WithNhcb) : ScriptCommand(Line);

public enum ExpectKind
{
    Fail,
    Warn,
    NoWarn,
    Info,
    NoInfo,
    Ordered,
}

/// <summary>An <c>expect</c> line: a kind and, optionally, an exact message or a regex the message must match.</summary>
public sealed record Expectation(ExpectKind Kind, string? Message, Regex? Pattern)
{
    public bool Matches(string text) => Message is not null ? Message == text : Pattern is null || Pattern.IsMatch(text);
}

public sealed record ExpectedSeries(int Position, Labels Metric, List<SequenceValue> Values);

/// <summary>An <c>eval instant</c> or <c>eval range</c> block with its expectations.</summary>
public sealed record EvalCommand(int Line, string Expr) : ScriptCommand(Line)
{

    public bool IsRange { get; set; }

    public long Start { get; set; }

    public long End { get; set; }

    public long Step { get; set; }

    public List<Expectation> Expectations { get; } = [];

    public List<ExpectedSeries> Series { get; } = [];

    public double? ExpectedScalar { get; set; }

    public string? ExpectedString { get; set; }

    /// <summary>Set by <c>expect range vector from … to … step …</c>: an instant query answering a range vector.</summary>
    public (long From, long To, long Step)? ExpectedRange { get; set; }

    public string? ParseError { get; set; }

    public bool ExpectFail => Expectations.Any(e => e.Kind == ExpectKind.Fail);

    public bool Ordered => Expectations.Any(e => e.Kind == ExpectKind.Ordered);
}

/// <summary>
/// Parses Prometheus's promqltest script language (see ../shared/promqltest/FORMAT.md): commands separated
/// by blank lines, <c>#</c> comments, <c>load</c>, <c>clear</c>, <c>eval</c> and its deprecated variants.
/// </summary>
public static class TestScript
{
    private static readonly Regex LoadPattern = new(@"^load(?:_(with_nhcb))?\s+(.+?)$");
    private static readonly Regex EvalInstant = new(@"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$");
    private static readonly Regex EvalRange = new(@"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$");
    private static readonly Regex ExpectPattern = new(@"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$");
    private static readonly Regex ExpectRangePattern = new(@"^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$");

    public static List<ScriptCommand> Parse(string text)
    {
        var lines = text.Split('\n').Select(l =>
        {
            var t = l.Trim();
            return t.StartsWith('#') ? "" : t;
        }).ToArray();
        var commands = new List<ScriptCommand>();
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i];
            if (l.Length == 0)
            {
                continue;
            }

            var word = Regex.Split(l, @"[\t ]+", RegexOptions.None)[0].ToLowerInvariant();
            if (word == "clear")
            {
                commands.Add(new ClearCommand(i + 1));
            }
            else if (word.StartsWith("load", StringComparison.Ordinal))
            {
                commands.Add(ParseLoad(lines, ref i));
            }
            else if (word.StartsWith("eval", StringComparison.Ordinal))
            {
                var first = i;
                try
                {
                    commands.Add(ParseEval(lines, ref i));
                }
                catch (Exception ex) when (ex is FormatException or ParseException or ArgumentException or OverflowException)
                {
                    // A block our runner cannot read still counts, as a failed eval.
                    commands.Add(new EvalCommand(first + 1, lines[first]) { ParseError = ex.Message });
                    i = first;
                    while (i + 1 < lines.Length && lines[i + 1].Length > 0)
                    {
                        i++;
                    }
                }
            }
            else
            {
                throw new FormatException($"line {i + 1}: invalid command \"{l}\"");
            }
        }

        return commands;
    }

    /// <summary>A time or duration of the script: <c>50m</c>, <c>1h30m</c>, or plain seconds.</summary>
    public static long ParseTime(string s)
    {
        s = s.Trim();
        if (Durations.TryParse(s, out var ms))
        {
            return ms;
        }

        return (long)Math.Round(double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) * 1000);
    }

    private static LoadCommand ParseLoad(string[] lines, ref int i)
    {
        var m = LoadPattern.Match(lines[i]);
        if (!m.Success)
        {
            throw new FormatException($"line {i + 1}: invalid load command");
        }

        var cmd = new LoadCommand(i + 1, ParseTime(m.Groups[2].Value), [], m.Groups[1].Success);
        while (i + 1 < lines.Length && lines[i + 1].Length > 0)
        {
            i++;
            var metricPart = lines[i].Split([' ', '\t'], 2)[0];
            if (metricPart.EndsWith("@st", StringComparison.Ordinal))
            {
                // Start-timestamp lines (an experimental feature) are not supported yet: the samples load without them.
                continue;
            }

            cmd.Series.Add(SeriesDescription.Parse(lines[i]));
        }

        return cmd;
    }

    private static EvalCommand ParseEval(string[] lines, ref int i)
    {
        var line = lines[i];
        var instant = EvalInstant.Match(line);
        var range = EvalRange.Match(line);
        if (!instant.Success && !range.Success)
        {
            throw new FormatException($"line {i + 1}: invalid eval command");
        }

        EvalCommand cmd;
        string mod;
        if (instant.Success)
        {
            cmd = new EvalCommand(i + 1, instant.Groups[3].Value);
            cmd.Start = cmd.End = ParseTime(instant.Groups[2].Value);
            mod = instant.Groups[1].Value;
        }
        else
        {
            cmd = new EvalCommand(i + 1, range.Groups[5].Value)
            {
                IsRange = true,
                Start = ParseTime(range.Groups[2].Value),
                End = ParseTime(range.Groups[3].Value),
                Step = ParseTime(range.Groups[4].Value),
            };
            mod = range.Groups[1].Value;
        }

        switch (mod)
        {
            case "fail":
                cmd.Expectations.Add(new Expectation(ExpectKind.Fail, null, null));
                break;
            case "warn":
                cmd.Expectations.Add(new Expectation(ExpectKind.Warn, null, null));
                break;
            case "info":
                cmd.Expectations.Add(new Expectation(ExpectKind.Info, null, null));
                break;
            case "ordered":
                cmd.Expectations.Add(new Expectation(ExpectKind.Ordered, null, null));
                break;
        }

        var position = 0;
        while (i + 1 < lines.Length && lines[i + 1].Length > 0)
        {
            i++;
            var def = lines[i];
            position++;
            if (def.StartsWith("expected_fail_message", StringComparison.Ordinal))
            {
                cmd.Expectations.RemoveAll(e => e.Kind == ExpectKind.Fail);
                cmd.Expectations.Add(new Expectation(ExpectKind.Fail, def["expected_fail_message".Length..].Trim(), null));
                continue;
            }

            if (def.StartsWith("expected_fail_regexp", StringComparison.Ordinal))
            {
                cmd.Expectations.RemoveAll(e => e.Kind == ExpectKind.Fail);
                cmd.Expectations.Add(new Expectation(ExpectKind.Fail, null, new Regex(def["expected_fail_regexp".Length..].Trim())));
                continue;
            }

            if (def.StartsWith("expect range vector", StringComparison.Ordinal))
            {
                var r = ExpectRangePattern.Match(def);
                cmd.ExpectedRange = (ParseTime(r.Groups[1].Value), ParseTime(r.Groups[2].Value), ParseTime(r.Groups[3].Value));
                position--;
                continue;
            }

            if (def.StartsWith("expect string", StringComparison.Ordinal))
            {
                cmd.ExpectedString = UnquoteGo(def["expect string".Length..].Trim());
                position--;
                continue;
            }

            if (def.Split(' ')[0] == "expect")
            {
                var e = ExpectPattern.Match(def);
                if (!e.Success)
                {
                    throw new FormatException($"line {i + 1}: invalid expect statement");
                }

                var kind = e.Groups[1].Value switch
                {
                    "fail" => ExpectKind.Fail,
                    "warn" => ExpectKind.Warn,
                    "no_warn" => ExpectKind.NoWarn,
                    "info" => ExpectKind.Info,
                    "no_info" => ExpectKind.NoInfo,
                    _ => ExpectKind.Ordered,
                };
                Expectation exp = e.Groups[2].Value switch
                {
                    "msg" => new Expectation(kind, e.Groups[3].Value.Trim(), null),
                    "regex" => new Expectation(kind, null, new Regex(e.Groups[3].Value.Trim())),
                    _ => new Expectation(kind, null, null),
                };
                cmd.Expectations.Add(exp);
                position--;
                continue;
            }

            if (TryParseScalar(def, out var scalar))
            {
                cmd.ExpectedScalar = scalar;
                continue;
            }

            var (metric, values) = SeriesDescription.Parse(def);
            cmd.Series.Add(new ExpectedSeries(position, metric, values));
        }

        return cmd;
    }

    private static bool TryParseScalar(string s, out double v)
    {
        v = 0;
        if (s.Contains('{') || s.Contains(' '))
        {
            return false;
        }

        try
        {
            v = SeriesDescription.ParseNumber(s);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Go's strconv.Unquote for the quoted string after <c>expect string</c>.</summary>
    private static string UnquoteGo(string s)
    {
        if (s.Length >= 2 && s[0] == '`' && s[^1] == '`')
        {
            return s[1..^1];
        }

        var e = Parser.ParseExpr(s);
        return e is StringLiteral sl ? sl.Value : throw new FormatException("expected a quoted string: " + s);
    }
}
