using System.Globalization;
using System.Text.RegularExpressions;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.Http;

/// <summary>
/// Parses the API's parameters exactly as Prometheus's web/api/v1 does: timestamps as RFC 3339 or unix
/// seconds with a fraction, durations as <c>5m</c> or float seconds, limits, and <c>match[]</c> selectors.
/// </summary>
internal static partial class ParameterParsing
{
    /// <summary>Prometheus's MinTime: the default start of metadata queries (time.Unix(math.MinInt64/1000+62135596801, 0)).</summary>
    public const long MinTimeMs = (long.MinValue / 1000 + 62135596801L) * 1000;

    /// <summary>Prometheus's MaxTime: the default end of metadata queries (time.Unix(math.MaxInt64/1000-62135596801, 999999999)).</summary>
    public const long MaxTimeMs = (long.MaxValue / 1000 - 62135596801L) * 1000 + 999;

    private const long NanosPerMilli = 1_000_000;

    /// <summary>parseTime: a float of unix seconds (rounded to the millisecond) or an RFC 3339 timestamp.</summary>
    public static bool TryParseTime(string s, out long ms, out string error)
    {
        error = string.Empty;
        if (TryParseGoFloat(s, out var seconds))
        {
            // Go: s, ns := math.Modf(t); ns = math.Round(ns*1000) / 1000; time.Unix(int64(s), int64(ns*1e9)),
            // then timestamp.FromTime: whole milliseconds of the normalised time, rounded down.
            if (double.IsFinite(seconds) && Math.Abs(seconds) < 9.2e15)
            {
                var whole = Math.Truncate(seconds);
                var fraction = Math.Round((seconds - whole) * 1000, MidpointRounding.AwayFromZero) / 1000;
                var nanos = (long)(fraction * 1e9);
                ms = (long)whole * 1000 + Math.DivRem(nanos, NanosPerMilli, out var rem) - (rem < 0 ? 1 : 0);
                return true;
            }
        }
        else if (TryParseRfc3339(s, out ms))
        {
            return true;
        }

        ms = 0;
        error = $"cannot parse \"{s}\" to a valid timestamp";
        return false;
    }

    /// <summary>parseTimeParam: an optional timestamp parameter with a default.</summary>
    public static long TimeParameter(ApiParameters p, string name, long defaultMs)
    {
        var value = p.Get(name);
        if (value.Length == 0)
        {
            return defaultMs;
        }

        if (!TryParseTime(value, out var ms, out var error))
        {
            throw new ApiErrorException(ApiError.InvalidParameter(name, $"invalid time value for '{name}': {error}"));
        }

        return ms;
    }

    /// <summary>parseDuration: float seconds or a Prometheus duration (<c>1h30m</c>), in nanoseconds as Go's time.Duration.</summary>
    public static bool TryParseDuration(string s, out long nanoseconds, out string error)
    {
        error = string.Empty;
        nanoseconds = 0;
        if (TryParseGoFloat(s, out var seconds))
        {
            var ns = seconds * 1e9;
            if (ns > long.MaxValue || ns < long.MinValue)
            {
                error = $"cannot parse \"{s}\" to a valid duration. It overflows int64";
                return false;
            }

            // NaN converts to 0 here; Prometheus then refuses it as a non-positive step.
            nanoseconds = double.IsNaN(ns) ? 0 : (long)ns;
            return true;
        }

        if (Durations.TryParse(s, out var ms) && ms <= long.MaxValue / NanosPerMilli)
        {
            nanoseconds = ms * NanosPerMilli;
            return true;
        }

        error = $"cannot parse \"{s}\" to a valid duration";
        return false;
    }

    /// <summary>parseLimitParam: "" is 0 (no limit); a negative number or a non-number is an error.</summary>
    public static int LimitParameter(ApiParameters p, string name = "limit")
    {
        var s = p.Get(name);
        if (s.Length == 0)
        {
            return 0;
        }

        // Go's strconv.Atoi reads an int64; any limit beyond int.MaxValue limits nothing here.
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var limit))
        {
            var reason = s.TrimStart('+', '-').Length > 0 && s.TrimStart('+', '-').All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
            throw new ApiErrorException(ApiError.InvalidParameter(name, $"strconv.Atoi: parsing \"{s}\": {reason}"));
        }

        if (limit < 0)
        {
            throw new ApiErrorException(ApiError.InvalidParameter(name, "limit must be non-negative"));
        }

        return (int)Math.Min(limit, int.MaxValue);
    }

    /// <summary>
    /// parseMatchersParam: each <c>match[]</c> is a series selector (parser.ParseMetricSelector), and each set
    /// must have a matcher that does not match the empty string.
    /// </summary>
    public static List<IReadOnlyList<LabelMatcher>> MatcherSets(IReadOnlyList<string> selectors)
    {
        var sets = new List<IReadOnlyList<LabelMatcher>>(selectors.Count);
        foreach (var s in selectors)
        {
            var expr = Parser.ParseExpr(s);
            if (expr is not VectorSelector vs || vs.OriginalOffset != 0 || vs.Timestamp is not null || vs.Anchor != AtAnchor.None)
            {
                throw new ParseException(s, expr.Start, expr.End, $"expected a series selector, got {expr.Type.Name()} expression");
            }

            sets.Add(vs.Matchers);
        }

        foreach (var set in sets)
        {
            if (!set.Any(m => !m.Matches(string.Empty)))
            {
                throw new ApiErrorException(ApiError.BadData("match[] must contain at least one non-empty matcher"));
            }
        }

        return sets;
    }

    /// <summary>Go's strconv.ParseFloat syntax (decimal forms, inf, infinity, nan), which .NET's parser is laxer than.</summary>
    public static bool TryParseGoFloat(string s, out double value)
    {
        value = 0;
        if (GoDecimalFloat().IsMatch(s))
        {
            // Go reports a range error where .NET returns ±Inf for a literal too large for a double.
            return double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        }

        var body = s.Length > 0 && s[0] is '+' or '-' ? s[1..] : s;
        var negative = s.StartsWith('-');
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase) && body.Length == s.Length)
        {
            value = double.NaN;
            return true;
        }

        return false;
    }

    /// <summary>RFC 3339 with optional fraction, as Go's time.RFC3339Nano parses it; any year, so Prometheus's MinTime/MaxTime strings parse.</summary>
    private static bool TryParseRfc3339(string s, out long ms)
    {
        ms = 0;
        var m = Rfc3339().Match(s);
        if (!m.Success)
        {
            return false;
        }

        var year = long.Parse(m.Groups["y"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var month = int.Parse(m.Groups["mo"].Value, CultureInfo.InvariantCulture);
        var day = int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture);
        var hour = int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minute = int.Parse(m.Groups["mi"].Value, CultureInfo.InvariantCulture);
        var second = int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long millis = 0;
        if (m.Groups["f"].Success)
        {
            // time.Time keeps nanoseconds; timestamp.FromTime truncates them to milliseconds.
            var digits = m.Groups["f"].Value;
            var first3 = digits.Length >= 3 ? digits[..3] : digits.PadRight(3, '0');
            millis = int.Parse(first3, CultureInfo.InvariantCulture);
        }

        long offsetSeconds = 0;
        if (m.Groups["oh"].Success)
        {
            var oh = int.Parse(m.Groups["oh"].Value, CultureInfo.InvariantCulture);
            var om = int.Parse(m.Groups["om"].Value, CultureInfo.InvariantCulture);
            if (oh > 23 || om > 59)
            {
                return false;
            }

            offsetSeconds = (oh * 3600 + om * 60) * (m.Groups["os"].Value == "-" ? -1 : 1);
        }

        try
        {
            var seconds = checked(DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds);
            ms = checked(seconds * 1000 + millis);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).</summary>
    private static long DaysFromCivil(long y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - era * 400;
        var doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        var doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return checked(era * 146097 + doe - 719468);
    }

    private static int DaysInMonth(long year, int month) => month switch
    {
        2 => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    [GeneratedRegex(@"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDecimalFloat();

    [GeneratedRegex(@"^(?<y>-?[0-9]{4,})-(?<mo>[0-9]{2})-(?<d>[0-9]{2})[Tt](?<h>[0-9]{2}):(?<mi>[0-9]{2}):(?<s>[0-9]{2})(?:\.(?<f>[0-9]{1,9}))?(?:[Zz]|(?<os>[+-])(?<oh>[0-9]{2}):(?<om>[0-9]{2}))$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
