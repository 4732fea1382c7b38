using System.Globalization;

namespace PromLake.Query.PromQL.Functions;

/// <summary>Kahan–Neumaier compensated summation, as Prometheus's kahanSumInc.</summary>
internal static class KahanSum
{
    public static (double Sum, double C) Inc(double inc, double sum, double c)
    {
        var t = sum + inc;
        if (double.IsInfinity(t))
        {
            c = 0;
        }
        else if (Math.Abs(sum) >= Math.Abs(inc))
        {
            c += (sum - t) + inc;
        }
        else
        {
            c += (inc - t) + sum;
        }

        return (t, c);
    }
}

internal static class Quantiles
{
    /// <summary>
    /// The φ-quantile of the values by linear interpolation between closest ranks (Prometheus's quantile):
    /// NaN for no values or φ NaN, -Inf for φ &lt; 0, +Inf for φ &gt; 1. NaN values sort first.
    /// </summary>
    public static double Quantile(double q, List<double> values)
    {
        if (values.Count == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }

        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        var sorted = new List<double>(values);
        sorted.Sort(static (a, b) =>
        {
            var an = double.IsNaN(a);
            var bn = double.IsNaN(b);
            if (an || bn)
            {
                return an == bn ? 0 : an ? -1 : 1;
            }

            return a.CompareTo(b);
        });
        var n = (double)sorted.Count;
        var rank = q * (n - 1);
        var lower = Math.Max(0, Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return sorted[(int)lower] * (1 - weight) + sorted[(int)upper] * weight;
    }
}

internal static class FloatFormat
{
    /// <summary>Go's strconv.FormatFloat(f, 'f', -1, 64): the shortest digits that round-trip, never an exponent.</summary>
    public static string Shortest(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(v))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(v))
        {
            return "-Inf";
        }

        var r = v.ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOfAny(['E', 'e']);
        if (e < 0)
        {
            return r;
        }

        var mantissa = r[..e];
        var exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var negative = mantissa.StartsWith('-');
        if (negative)
        {
            mantissa = mantissa[1..];
        }

        var dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var pointPos = (dot < 0 ? mantissa.Length : dot) + exponent;
        string result;
        if (pointPos <= 0)
        {
            result = "0." + new string('0', -pointPos) + digits;
        }
        else if (pointPos >= digits.Length)
        {
            result = digits + new string('0', pointPos - digits.Length);
        }
        else
        {
            result = digits[..pointPos] + "." + digits[pointPos..];
        }

        return negative ? "-" + result : result;
    }
}

/// <summary>Prometheus's almost.Equal: equal within a relative tolerance; NaN equals NaN.</summary>
internal static class Almost
{
    private const double MinNormal = 2.2250738585072014e-308;

    public static bool Equal(double a, double b, double epsilon)
    {
        if (double.IsNaN(a) && double.IsNaN(b))
        {
            return true;
        }

        if (a == b)
        {
            return true;
        }

        var absSum = Math.Abs(a) + Math.Abs(b);
        var diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < MinNormal)
        {
            return diff < epsilon * MinNormal;
        }

        return diff / Math.Min(absSum, double.MaxValue) < epsilon;
    }
}
