using BenchmarkDotNet.Attributes;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Benchmarks.Storage;

/// <summary>
/// Writing one block of node_exporter series (<see cref="NodeFleet"/>) to memory: sorting,
/// column building, encoding and zstd (Optimal). One operation is one sample, so the mean
/// is the time per sample: a level-0 flush (20,000 series once each, what a few seconds of
/// a 15 s scrape interval bring to a shard), and an hour and a day block of 2,000 series
/// at 15 s. <see cref="ScaledValues"/> false is the version-1 layout (every value a double),
/// to show what finding each series' decimal scale costs.
/// </summary>
[MemoryDiagnoser]
public class SampleBlockWriterBenchmarks
{
    private const int Level0Series = 20_000;
    private const int Series = 2_000;
    private const int HourSamples = 240;
    private const int DaySamples = 5_760;

    private SampleBlockWriter _writer = new();
    private readonly MemoryStream _output = new(64 << 20);
    private List<StoredSeries> _series = [];

    [Params(true, false)]
    public bool ScaledValues { get; set; }

    [GlobalSetup(Target = nameof(Level0Flush))]
    public void SetupLevel0() => Setup(Level0Series, 1);

    [GlobalSetup(Target = nameof(HourBlock))]
    public void SetupHour() => Setup(Series, HourSamples);

    [GlobalSetup(Target = nameof(DayBlock))]
    public void SetupDay() => Setup(Series, DaySamples);

    [Benchmark(OperationsPerInvoke = Level0Series)]
    public long Level0Flush() => Write();

    [Benchmark(OperationsPerInvoke = Series * HourSamples)]
    public long HourBlock() => Write();

    [Benchmark(OperationsPerInvoke = Series * DaySamples)]
    public long DayBlock() => Write();

    private long Write()
    {
        _output.SetLength(0);
        _writer.WriteAsync(_series, _output).GetAwaiter().GetResult();
        return _output.Length;
    }

    private void Setup(int series, int samplesPerSeries)
    {
        _writer = new SampleBlockWriter(new() { ScaledValues = ScaledValues });
        _series = Fleet(series, samplesPerSeries);
    }

    private static List<StoredSeries> Fleet(int series, int samplesPerSeries) =>
        NodeFleet.Generate(series, 1_700_000_000_000, TimeSpan.FromMilliseconds(NodeFleet.ScrapeIntervalMs * samplesPerSeries)).Take(series).ToList();
}
