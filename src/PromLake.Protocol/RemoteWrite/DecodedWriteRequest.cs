namespace PromLake.Protocol.RemoteWrite;

/// <summary>
/// A decoded remote-write request of either version, in one shape: flat arrays
/// of series, labels, samples, histograms and exemplars that point into the
/// decompressed body. Meant to be pooled and reused: <see cref="Reset"/> keeps
/// the arrays, so steady-state decoding allocates nothing.
/// </summary>
public sealed class DecodedWriteRequest
{
    private SeriesEntry[] _series = new SeriesEntry[256];
    private LabelEntry[] _labels = new LabelEntry[2048];
    private SampleEntry[] _samples = new SampleEntry[256];
    private HistogramEntry[] _histograms = new HistogramEntry[16];
    private ExemplarEntry[] _exemplars = new ExemplarEntry[16];
    private MetadataEntry[] _familyMetadata = new MetadataEntry[64];
    private Utf8Ref[] _symbols = new Utf8Ref[1024];
    private uint[] _refs = new uint[2048];

    public RemoteWriteVersion Version { get; internal set; }

    /// <summary>The decompressed body every <see cref="Utf8Ref"/> points into.</summary>
    public ReadOnlyMemory<byte> Body { get; private set; }

    public int SeriesCount { get; private set; }

    public int LabelCount { get; private set; }

    public int SampleCount { get; private set; }

    public int HistogramCount { get; private set; }

    public int ExemplarCount { get; private set; }

    public int FamilyMetadataCount { get; private set; }

    public int SymbolCount { get; private set; }

    internal int RefCount { get; private set; }

    public Span<SeriesEntry> Series => _series.AsSpan(0, SeriesCount);

    public Span<LabelEntry> Labels => _labels.AsSpan(0, LabelCount);

    public Span<SampleEntry> Samples => _samples.AsSpan(0, SampleCount);

    public Span<HistogramEntry> Histograms => _histograms.AsSpan(0, HistogramCount);

    public Span<ExemplarEntry> Exemplars => _exemplars.AsSpan(0, ExemplarCount);

    /// <summary>RW 1.0 metadata, which is sent per metric family rather than per series.</summary>
    public Span<MetadataEntry> FamilyMetadata => _familyMetadata.AsSpan(0, FamilyMetadataCount);

    /// <summary>RW 2.0 symbol table.</summary>
    public ReadOnlySpan<Utf8Ref> Symbols => _symbols.AsSpan(0, SymbolCount);

    internal Span<uint> Refs => _refs.AsSpan(0, RefCount);

    public ReadOnlySpan<LabelEntry> LabelsOf(in SeriesEntry series) => _labels.AsSpan(series.LabelStart, series.LabelCount);

    public ReadOnlySpan<LabelEntry> LabelsOf(in ExemplarEntry exemplar) => _labels.AsSpan(exemplar.LabelStart, exemplar.LabelCount);

    public void Reset(ReadOnlyMemory<byte> body, RemoteWriteVersion version)
    {
        Body = body;
        Version = version;
        SeriesCount = LabelCount = SampleCount = HistogramCount = ExemplarCount = 0;
        FamilyMetadataCount = SymbolCount = RefCount = 0;
    }

    internal ref SeriesEntry AddSeries()
    {
        Grow(ref _series, SeriesCount);
        ref var entry = ref _series[SeriesCount++];
        entry = default;
        return ref entry;
    }

    internal ref LabelEntry AddLabel()
    {
        Grow(ref _labels, LabelCount);
        return ref _labels[LabelCount++];
    }

    internal ref SampleEntry AddSample()
    {
        Grow(ref _samples, SampleCount);
        ref var entry = ref _samples[SampleCount++];
        entry = default;
        return ref entry;
    }

    internal ref HistogramEntry AddHistogram()
    {
        Grow(ref _histograms, HistogramCount);
        return ref _histograms[HistogramCount++];
    }

    internal ref ExemplarEntry AddExemplar()
    {
        Grow(ref _exemplars, ExemplarCount);
        ref var entry = ref _exemplars[ExemplarCount++];
        entry = default;
        return ref entry;
    }

    internal ref MetadataEntry AddFamilyMetadata()
    {
        Grow(ref _familyMetadata, FamilyMetadataCount);
        ref var entry = ref _familyMetadata[FamilyMetadataCount++];
        entry = default;
        return ref entry;
    }

    internal void AddSymbol(Utf8Ref symbol)
    {
        Grow(ref _symbols, SymbolCount);
        _symbols[SymbolCount++] = symbol;
    }

    internal void AddRef(uint reference)
    {
        Grow(ref _refs, RefCount);
        _refs[RefCount++] = reference;
    }

    private static void Grow<T>(ref T[] array, int count)
    {
        if (count == array.Length)
        {
            Array.Resize(ref array, array.Length * 2);
        }
    }
}
