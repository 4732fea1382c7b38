using BenchmarkDotNet.Attributes;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.Storage;

namespace PromLake.Benchmarks.Query;

/// <summary>
/// The PromQL engine alone over the data of compare-queries.sh, already in memory as the block
/// store returns it (columns per series): 10,000 series of one counter, a sample a minute for
/// 24 hours, evaluated at a 60 s step. One operation is one query; the store's work is left out
/// (profile-query times it against Azurite).
/// </summary>
[MemoryDiagnoser]
public class QueryEngineBenchmarks
{
    private const int SeriesCount = 10_000;
    private const int SamplesPerSeries = 1_440;
    private const long Minute = 60_000;
    private const long End = 1_795_633_200_000;
    private const long Start = End - SamplesPerSeries * Minute;

    private PromQLEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        var series = new List<(Labels Labels, long[] Timestamps, double[] Values)>(SeriesCount);
        var random = new Random(42);
        for (var s = 0; s < SeriesCount; s++)
        {
            var labels = Labels.FromStrings("__name__", "bench_requests_total", "instance", $"host-{s:D5}:9100", "job", $"job-{s % 10}");
            var timestamps = new long[SamplesPerSeries];
            var values = new double[SamplesPerSeries];
            var value = 100_000 + random.NextDouble() * 1000;
            var second = 1 + 7 * s % 59;
            for (var i = 0; i < SamplesPerSeries; i++)
            {
                timestamps[i] = Start + i * Minute + second * 1000;
                value = random.Next(2000) == 0 ? random.NextDouble() * 100 : value + random.NextDouble() * 100;
                values[i] = value;
            }

            series.Add((labels, timestamps, values));
        }

        _engine = new PromQLEngine(new FixedSeries(series), new PromQLEngineOptions { MaxSamples = 50_000_000 });
    }

    [Benchmark(Description = "(a) sum by (job) (rate(m[5m])), 24 h")]
    public Task<QueryResult> SumByRate() => Range("sum by (job) (rate(bench_requests_total[5m]))", Start);

    [Benchmark(Description = "rate(m[5m]) alone, 24 h, 10,000 series out")]
    public Task<QueryResult> Rate() => Range("rate(bench_requests_total[5m])", Start);

    [Benchmark(Description = "(b) rate of one series, 24 h")]
    public Task<QueryResult> RateOfOne() => Range("rate(bench_requests_total{instance=\"host-04242:9100\"}[5m])", Start);

    [Benchmark(Description = "(c) topk(10, rate(m[5m])), last hour")]
    public Task<QueryResult> TopK() => Range("topk(10, rate(bench_requests_total[5m]))", End - 60 * Minute);

    [Benchmark(Description = "rate(m[5m]) alone, last hour")]
    public Task<QueryResult> RateLastHour() => Range("rate(bench_requests_total[5m])", End - 60 * Minute);

    private async Task<QueryResult> Range(string query, long start)
    {
        var result = await _engine.RangeQueryAsync(query, start, End, Minute);
        return result.Error is null ? result : throw result.Error;
    }

    /// <summary>The series as a store hands them over: matched, and cut to the asked range without a copy.</summary>
    private sealed class FixedSeries(List<(Labels Labels, long[] Timestamps, double[] Values)> all) : ISeriesQuerier
    {
        public ValueTask<IReadOnlyList<StoredSeries>> SelectAsync(SelectRequest request, CancellationToken cancellationToken = default)
        {
            var result = new List<StoredSeries>();
            foreach (var (labels, timestamps, values) in all)
            {
                var matches = true;
                foreach (var matcher in request.Matchers)
                {
                    matches &= matcher.Matches(labels);
                }

                if (!matches)
                {
                    continue;
                }

                int from = 0, to = timestamps.Length;
                while (from < to && timestamps[from] < request.MinT)
                {
                    from++;
                }

                while (to > from && timestamps[to - 1] > request.MaxT)
                {
                    to--;
                }

                result.Add(new StoredSeries(labels, new ColumnarSamples(timestamps, values, from, to - from)));
            }

            return ValueTask.FromResult<IReadOnlyList<StoredSeries>>(result);
        }
    }
}
