using System.Globalization;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.Tests.PromQLTest;

/// <summary>One value of an expanded sequence: a float, a histogram, or nothing (<c>_</c>).</summary>
public readonly record struct SequenceValue(double Value, FloatHistogram? Histogram, bool Omitted);

/// <summary>
/// Parses the series notation of the test scripts: <c>metric{a="b"} 0+10x3 _ stale {{schema:0 sum:1 count:1}}</c>.
/// <c>a+bxn</c> expands to n+1 values a, a+b, …; <c>_xn</c> is n gaps; <c>stale</c> is a staleness marker.
/// </summary>
public static class SeriesDescription
{
    public static (Labels Metric, List<SequenceValue> Values) Parse(string line)
    {
        var split = MetricEnd(line);
        var metricText = line[..split].Trim();
        var metric = Parser.ParseMetric(metricText);
        var values = ParseValues(line[split..]);
        return (metric, values);
    }

    /// <summary>Where the metric part ends: after the closing brace, or at the first blank outside braces.</summary>
    private static int MetricEnd(string line)
    {
        var inQuote = '\0';
        var depth = 0;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inQuote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == inQuote)
                {
                    inQuote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '"' or '\'' or '`':
                    inQuote = c;
                    break;
                case '{':
                    depth++;
                    break;
                case '}':
                    depth--;
                    if (depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case ' ' or '\t' when depth == 0:
                    return i;
            }
        }

        return line.Length;
    }

    public static List<SequenceValue> ParseValues(string text)
    {
        var result = new List<SequenceValue>();
        foreach (var item in Items(text))
        {
            Expand(item, result);
        }

        return result;
    }

    /// <summary>Splits on blanks, keeping <c>{{…}}</c> histograms (which contain blanks) whole.</summary>
    private static IEnumerable<string> Items(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                yield break;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                if (text[i] == '{' && i + 1 < text.Length && text[i + 1] == '{')
                {
                    var close = text.IndexOf("}}", i, StringComparison.Ordinal);
                    i = close < 0 ? text.Length : close + 2;
                    continue;
                }

                i++;
            }

            yield return text[start..i];
        }
    }

    private static void Expand(string item, List<SequenceValue> into)
    {
        if (item == "_")
        {
            into.Add(new SequenceValue(0, null, true));
            return;
        }

        if (item.StartsWith("_x", StringComparison.Ordinal))
        {
            var n = int.Parse(item[2..], CultureInfo.InvariantCulture);
            for (var i = 0; i < n; i++)
            {
                into.Add(new SequenceValue(0, null, true));
            }

            return;
        }

        if (item == "stale")
        {
            into.Add(new SequenceValue(StaleMarker.Value, null, false));
            return;
        }

        if (item.StartsWith("{{", StringComparison.Ordinal))
        {
            ExpandHistogram(item, into);
            return;
        }

        // a, axn, a+bxn, a-bxn
        // In this notation "0x59" is 0 repeated, never a hexadecimal number.
        var x = item.LastIndexOf('x');
        if (x > 0)
        {
            var head = item[..x];
            var times = int.Parse(item[(x + 1)..], CultureInfo.InvariantCulture);
            var (start, delta) = SplitDelta(head);
            for (var i = 0; i <= times; i++)
            {
                into.Add(new SequenceValue(start + delta * i, null, false));
            }

            return;
        }

        into.Add(new SequenceValue(ParseNumber(item), null, false));
    }

    private static (double Start, double Delta) SplitDelta(string head)
    {
        // The operator is the first + or - after the first character that is not part of an exponent.
        for (var i = 1; i < head.Length; i++)
        {
            if ((head[i] == '+' || head[i] == '-') && head[i - 1] is not ('e' or 'E'))
            {
                var start = ParseNumber(head[..i]);
                var delta = ParseNumber(head[(i + 1)..]);
                return (start, head[i] == '-' ? -delta : delta);
            }
        }

        return (ParseNumber(head), 0);
    }

    public static double ParseNumber(string s)
    {
        var lower = s.ToLowerInvariant();
        switch (lower)
        {
            case "inf" or "+inf":
                return double.PositiveInfinity;
            case "-inf":
                return double.NegativeInfinity;
            case "nan" or "+nan" or "-nan":
                return double.NaN;
        }

        var negative = false;
        var body = s;
        if (body.StartsWith('-') || body.StartsWith('+'))
        {
            negative = body[0] == '-';
            body = body[1..];
        }

        double v;
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            v = Convert.ToInt64(body[2..], 16);
        }
        else
        {
            v = double.Parse(body, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return negative ? -v : v;
    }

    private static void ExpandHistogram(string item, List<SequenceValue> into)
    {
        var close = item.IndexOf("}}", StringComparison.Ordinal);
        var first = ParseHistogram(item[2..close]);
        var rest = item[(close + 2)..];
        if (rest.Length == 0)
        {
            into.Add(new SequenceValue(0, first, false));
            return;
        }

        if (rest[0] == 'x')
        {
            var n = int.Parse(rest[1..], CultureInfo.InvariantCulture);
            for (var i = 0; i <= n; i++)
            {
                into.Add(new SequenceValue(0, first.Copy(), false));
            }

            return;
        }

        var subtract = rest[0] == '-';
        var close2 = rest.IndexOf("}}", StringComparison.Ordinal);
        var delta = ParseHistogram(rest[3..close2]);
        var times = int.Parse(rest[(close2 + 3)..], CultureInfo.InvariantCulture);
        var current = first;
        into.Add(new SequenceValue(0, current, false));
        for (var i = 1; i <= times; i++)
        {
            // As upstream's histogramsIncreaseSeries: each value is the previous one plus (or minus) the increment.
            var next = current.Copy();
            var combination = subtract ? next.Sub(delta) : next.Add(delta);
            if (combination.Incompatible)
            {
                throw new FormatException("cannot combine histograms with exponential and custom buckets");
            }

            current = next;
            into.Add(new SequenceValue(0, current, false));
        }
    }

    /// <summary>The inside of <c>{{schema:0 sum:5 count:4 z_bucket:1 z_bucket_w:0.001 buckets:[1 2] n_buckets:[1] offset:0 n_offset:0 custom_values:[1 2] counter_reset_hint:gauge}}</c>.</summary>
    private static FloatHistogram ParseHistogram(string body)
    {
        var h = new FloatHistogram();
        var offset = 0;
        var nOffset = 0;
        var i = 0;
        while (i < body.Length)
        {
            while (i < body.Length && char.IsWhiteSpace(body[i]))
            {
                i++;
            }

            if (i >= body.Length)
            {
                break;
            }

            var colon = body.IndexOf(':', i);
            var key = body[i..colon].Trim();
            i = colon + 1;
            string value;
            if (i < body.Length && body[i] == '[')
            {
                var end = body.IndexOf(']', i);
                value = body[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = i;
                while (end < body.Length && !char.IsWhiteSpace(body[end]))
                {
                    end++;
                }

                value = body[i..end];
                i = end;
            }

            List<double> List() => value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseNumber).ToList();
            switch (key)
            {
                case "schema": h.Schema = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "sum": h.Sum = ParseNumber(value); break;
                case "count": h.Count = ParseNumber(value); break;
                case "z_bucket": h.ZeroCount = ParseNumber(value); break;
                case "z_bucket_w": h.ZeroThreshold = ParseNumber(value); break;
                case "buckets": h.PositiveBuckets = List(); break;
                case "n_buckets": h.NegativeBuckets = List(); break;
                case "offset": offset = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "n_offset": nOffset = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "custom_values": h.CustomValues = List(); break;
                case "counter_reset_hint":
                    h.CounterResetHint = value switch
                    {
                        "reset" => CounterResetHint.CounterReset,
                        "not_reset" => CounterResetHint.NotCounterReset,
                        "gauge" => CounterResetHint.Gauge,
                        _ => CounterResetHint.Unknown,
                    };
                    break;
            }
        }

        if (h.PositiveBuckets.Count > 0)
        {
            h.PositiveSpans = [new BucketSpan(offset, h.PositiveBuckets.Count)];
        }

        if (h.NegativeBuckets.Count > 0)
        {
            h.NegativeSpans = [new BucketSpan(nOffset, h.NegativeBuckets.Count)];
        }

        return h;
    }
}
