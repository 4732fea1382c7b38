using System.Globalization;
using System.Text;

namespace PromLake.Query.PromQL.Parsing;

/// <summary>
/// Prometheus durations: <c>1y2w3d4h5m6s7ms</c>, units largest first, each at most once;
/// a year is 365 days, a week 7 days. Values are milliseconds.
/// </summary>
public static class Durations
{
    private static readonly (string Unit, long Ms)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000),
        ("w", 7L * 24 * 3600 * 1000),
        ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000),
        ("m", 60L * 1000),
        ("s", 1000L),
        ("ms", 1L),
    ];

    public static bool TryParse(string text, out long milliseconds)
    {
        milliseconds = 0;
        if (text == "0")
        {
            return true;
        }

        if (text.Length == 0)
        {
            return false;
        }

        var pos = 0;
        var lastUnit = -1;
        long total = 0;
        while (pos < text.Length)
        {
            var digitsStart = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                pos++;
            }

            if (pos == digitsStart)
            {
                return false;
            }

            if (!long.TryParse(text.AsSpan(digitsStart, pos - digitsStart), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            var unitStart = pos;
            while (pos < text.Length && char.IsAsciiLetter(text[pos]))
            {
                pos++;
            }

            var unit = text[unitStart..pos];
            var idx = Array.FindIndex(Units, u => u.Unit == unit);
            if (idx < 0 || idx <= lastUnit)
            {
                return false;
            }

            lastUnit = idx;
            try
            {
                total = checked(total + checked(n * Units[idx].Ms));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        milliseconds = total;
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out var ms) ? ms : throw new FormatException($"not a valid duration string: \"{text}\"");

    /// <summary>Formats as Prometheus does: <c>1h30m</c>, <c>0s</c>.</summary>
    public static string Format(long milliseconds)
    {
        if (milliseconds == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (milliseconds < 0)
        {
            sb.Append('-');
            milliseconds = -milliseconds;
        }

        foreach (var (unit, ms) in Units)
        {
            if (milliseconds >= ms)
            {
                sb.Append(milliseconds / ms).Append(unit);
                milliseconds %= ms;
            }
        }

        return sb.ToString();
    }
}
