using System.Globalization;
using System.Text.Json;
using PromLake.Query.Model;

namespace PromLake.Query.Http;

/// <summary>
/// Prometheus's JSON encoding of values (util/jsonutil): sample values are strings formatted as Go's
/// <c>strconv.FormatFloat(v, 'f', -1, 64)</c>, switching to <c>'e'</c> below 1e-6 and from 1e21 on, with
/// <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>; timestamps are seconds with exactly the millisecond digits needed.
/// </summary>
internal static class PromJson
{
    /// <summary>Longest output of <see cref="FormatFloat"/>: "-" + 17 digits + "e-324"-style exponent, or a fixed form of a 1e21 magnitude.</summary>
    public const int MaxFloatLength = 32;

    /// <summary>Writes a sample value as a JSON string.</summary>
    public static void WriteFloat(Utf8JsonWriter writer, double v)
    {
        Span<byte> buf = stackalloc byte[MaxFloatLength];
        writer.WriteStringValue(buf[..FormatFloat(v, buf)]);
    }

    /// <summary>Writes a millisecond timestamp as a JSON number of seconds: <c>1435781451.781</c>, <c>1.500</c>, <c>-0.005</c>.</summary>
    public static void WriteTimestamp(Utf8JsonWriter writer, long ms)
    {
        Span<byte> buf = stackalloc byte[24];
        writer.WriteRawValue(buf[..FormatTimestamp(ms, buf)], skipInputValidation: true);
    }

    /// <summary>As jsonutil.MarshalTimestamp: whole seconds, then '.' and three digits when the milliseconds are not 0.</summary>
    public static int FormatTimestamp(long ms, Span<byte> dest)
    {
        var n = 0;
        ulong t;
        if (ms < 0)
        {
            dest[n++] = (byte)'-';
            t = (ulong)(-(ms + 1)) + 1;
        }
        else
        {
            t = (ulong)ms;
        }

        (t / 1000).TryFormat(dest[n..], out var w, default, CultureInfo.InvariantCulture);
        n += w;
        var fraction = t % 1000;
        if (fraction != 0)
        {
            dest[n++] = (byte)'.';
            dest[n++] = (byte)('0' + fraction / 100);
            dest[n++] = (byte)('0' + fraction / 10 % 10);
            dest[n++] = (byte)('0' + fraction % 10);
        }

        return n;
    }

    /// <summary>Formats as jsonutil.MarshalFloat; returns the number of bytes written.</summary>
    public static int FormatFloat(double v, Span<byte> dest)
    {
        if (double.IsNaN(v))
        {
            return Ascii("NaN", dest);
        }

        if (double.IsInfinity(v))
        {
            return Ascii(v > 0 ? "+Inf" : "-Inf", dest);
        }

        if (v == 0)
        {
            return Ascii(double.IsNegative(v) ? "-0" : "0", dest);
        }

        // Most values: .NET's shortest round-trip form without an exponent (it uses one below
        // 1e-5 and from 1e15 on) is Go's 'f' form with precision -1, byte for byte.
        var magnitude = Math.Abs(v);
        if (magnitude >= 1e-6 && magnitude < 1e21 && v.TryFormat(dest, out var plain, "R", CultureInfo.InvariantCulture) && dest[..plain].IndexOfAny((byte)'E', (byte)'e') < 0)
        {
            return plain;
        }

        return FormatFromDigits(v, dest);
    }

    /// <summary>The general case of <see cref="FormatFloat"/> for finite non-zero values: .NET's digits and exponent laid out as Go lays them out.</summary>
    internal static int FormatFromDigits(double v, Span<byte> dest)
    {
        // The shortest digits that round-trip, as Go's precision -1: .NET's "R" yields the same digit string.
        Span<char> shortest = stackalloc char[32];
        v.TryFormat(shortest, out var len, "R", CultureInfo.InvariantCulture);
        Span<byte> digits = stackalloc byte[20];
        var (digitCount, exponent, negative) = Decompose(shortest[..len], digits);
        digits = digits[..digitCount];

        var n = 0;
        if (negative)
        {
            dest[n++] = (byte)'-';
        }

        var abs = Math.Abs(v);
        if (abs < 1e-6 || abs >= 1e21)
        {
            // 'e': d[.ddd]e±XX with at least two exponent digits.
            dest[n++] = digits[0];
            if (digits.Length > 1)
            {
                dest[n++] = (byte)'.';
                digits[1..].CopyTo(dest[n..]);
                n += digits.Length - 1;
            }

            dest[n++] = (byte)'e';
            dest[n++] = exponent < 0 ? (byte)'-' : (byte)'+';
            var e = Math.Abs(exponent);
            if (e < 10)
            {
                dest[n++] = (byte)'0';
            }

            e.TryFormat(dest[n..], out var w, default, CultureInfo.InvariantCulture);
            return n + w;
        }

        if (exponent < 0)
        {
            // 0.000ddd
            dest[n++] = (byte)'0';
            dest[n++] = (byte)'.';
            for (var i = 0; i < -exponent - 1; i++)
            {
                dest[n++] = (byte)'0';
            }

            digits.CopyTo(dest[n..]);
            return n + digits.Length;
        }

        // ddd[000][.ddd]
        var intDigits = exponent + 1;
        for (var i = 0; i < intDigits; i++)
        {
            dest[n++] = i < digits.Length ? digits[i] : (byte)'0';
        }

        if (digits.Length > intDigits)
        {
            dest[n++] = (byte)'.';
            digits[intDigits..].CopyTo(dest[n..]);
            n += digits.Length - intDigits;
        }

        return n;
    }

    /// <summary>
    /// Splits .NET's round-trip text ("123.45", "1.5E-07", "1E+21") into significant digits (no leading or
    /// trailing zeros) and the decimal exponent of the first digit: value = d.ddd × 10^exponent.
    /// </summary>
    private static (int Count, int Exponent, bool Negative) Decompose(ReadOnlySpan<char> text, Span<byte> digits)
    {
        var negative = text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }

        var exponentPart = 0;
        var e = text.IndexOfAny('E', 'e');
        if (e >= 0)
        {
            exponentPart = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var count = 0;
        var pointAt = text.IndexOf('.');
        var intLength = pointAt < 0 ? text.Length : pointAt;
        var firstDigitPosition = int.MinValue;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                continue;
            }

            if (count == 0 && c == '0')
            {
                continue;
            }

            if (count == 0)
            {
                // Position of this digit relative to the decimal point: 0 is the units digit.
                var index = i < intLength ? i : i - 1;
                firstDigitPosition = intLength - 1 - index;
            }

            digits[count++] = (byte)c;
        }

        while (count > 1 && digits[count - 1] == '0')
        {
            count--;
        }

        return (count, firstDigitPosition + exponentPart, negative);
    }

    private static int Ascii(string s, Span<byte> dest)
    {
        for (var i = 0; i < s.Length; i++)
        {
            dest[i] = (byte)s[i];
        }

        return s.Length;
    }

    /// <summary>A label set as a JSON object, in label order.</summary>
    public static void WriteLabels(Utf8JsonWriter writer, Labels labels)
    {
        writer.WriteStartObject();
        foreach (var l in labels.AsSpan())
        {
            writer.WriteString(l.Name, l.Value);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// A native histogram as jsonutil.MarshalHistogram: count, sum, and the non-empty buckets from the lowest
    /// up as <c>[boundaries, "lower", "upper", "count"]</c>, where boundaries is 0 (lower open), 1 (upper open),
    /// 2 (both open) or 3 (both closed).
    /// </summary>
    public static void WriteHistogram(Utf8JsonWriter writer, FloatHistogram h)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("count"u8);
        WriteFloat(writer, h.Count);
        writer.WritePropertyName("sum"u8);
        WriteFloat(writer, h.Sum);
        var any = false;
        foreach (var b in HistogramBuckets.All(h))
        {
            if (b.Count == 0)
            {
                continue;
            }

            if (!any)
            {
                writer.WritePropertyName("buckets"u8);
                writer.WriteStartArray();
                any = true;
            }

            writer.WriteStartArray();
            writer.WriteNumberValue(b.LowerInclusive ? (b.UpperInclusive ? 3 : 1) : (b.UpperInclusive ? 0 : 2));
            WriteFloat(writer, b.Lower);
            WriteFloat(writer, b.Upper);
            WriteFloat(writer, b.Count);
            writer.WriteEndArray();
        }

        if (any)
        {
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
