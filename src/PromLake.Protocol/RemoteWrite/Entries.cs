namespace PromLake.Protocol.RemoteWrite;

/// <summary>One label of a series or exemplar, as slices of the request body.</summary>
public struct LabelEntry
{
    public Utf8Ref Name;
    public Utf8Ref Value;
}

/// <summary>
/// A float sample. The value is kept as its IEEE-754 bits so that stale markers
/// (the NaN 0x7ff0000000000002) and every other NaN payload pass through untouched.
/// </summary>
public struct SampleEntry
{
    public ulong ValueBits;
    public long Timestamp;

    /// <summary>RW 2.0 start (created) timestamp; 0 when unknown.</summary>
    public long StartTimestamp;

    public readonly double Value => BitConverter.UInt64BitsToDouble(ValueBits);
}

/// <summary>
/// A native histogram kept as its encoded message: fields 1-16 are identical in
/// RW 1.0 and 2.0, so the bytes go into the log unchanged.
/// </summary>
public struct HistogramEntry
{
    public Utf8Ref Message;
    public long Timestamp;
}

public struct ExemplarEntry
{
    public int LabelStart;
    public int LabelCount;

    /// <summary>RW 2.0 only: where this exemplar's label references start in the reference array.</summary>
    public int RefStart;
    public int RefCount;
    public ulong ValueBits;
    public long Timestamp;
}

/// <summary>Metric metadata: RW 2.0 per series, RW 1.0 per metric family.</summary>
public struct MetadataEntry
{
    /// <summary>The metric type with the numbering both specifications share (0 unknown … 7 stateset).</summary>
    public int Type;
    public Utf8Ref Help;
    public Utf8Ref Unit;

    /// <summary>RW 1.0 only: the metric family the metadata describes.</summary>
    public Utf8Ref FamilyName;

    /// <summary>RW 2.0 only: symbol references, resolved after the symbol table is read.</summary>
    public uint HelpRef;
    public uint UnitRef;
}

/// <summary>A series and where its parts live in the request's flat arrays.</summary>
public struct SeriesEntry
{
    public int LabelStart;
    public int LabelCount;
    public int SampleStart;
    public int SampleCount;
    public int HistogramStart;
    public int HistogramCount;
    public int ExemplarStart;
    public int ExemplarCount;
    public bool HasMetadata;
    public MetadataEntry Metadata;

    /// <summary>RW 2.0 only: where the series' label references start in the reference array.</summary>
    public int RefStart;
    public int RefCount;

    /// <summary>A structural problem found while decoding (RW 2.0 symbol rules), or null.</summary>
    public string? Defect;
}
