using PromLake.Query.Model;

namespace PromLake.Query.PromQL.Engine;

/// <summary>A float point of a series.</summary>
public readonly record struct FPoint(long T, double F);

/// <summary>A native-histogram point of a series.</summary>
public readonly record struct HPoint(long T, FloatHistogram H);

/// <summary>
/// One element of an instant vector. <see cref="DropName"/> carries Prometheus 3's delayed
/// <c>__name__</c> removal: the name stays for matching until the query result is produced.
/// </summary>
public record struct Sample(Labels Metric, long T, double F, FloatHistogram? H = null, bool DropName = false);

/// <summary>One series of a range vector or of an evaluation over steps.</summary>
public sealed class Series(Labels metric)
{
    public Labels Metric { get; set; } = metric;

    public List<FPoint> Floats { get; set; } = [];

    public List<HPoint> Histograms { get; set; } = [];

    public bool DropName { get; set; }

    public int PointCount => Floats.Count + Histograms.Count;
}

/// <summary>The value of a query: an instant vector, a range vector, a scalar or a string.</summary>
public abstract record QueryValue;

public sealed record VectorValue(List<Sample> Samples) : QueryValue;

public sealed record MatrixValue(List<Series> Series) : QueryValue;

public sealed record ScalarValue(long T, double V) : QueryValue;

public sealed record StringValue(long T, string V) : QueryValue;

/// <summary>Numeric constants of the storage format.</summary>
public static class StaleMarker
{
    /// <summary>Prometheus's staleness marker: a NaN with this exact bit pattern.</summary>
    public const ulong Bits = 0x7ff0000000000002UL;

    public static readonly double Value = BitConverter.UInt64BitsToDouble(Bits);

    public static bool IsStale(double v) => BitConverter.DoubleToUInt64Bits(v) == Bits;
}
