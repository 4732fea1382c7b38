using PromLake.Query.PromQL.Engine;

namespace PromLake.Query.Tests.Engine;

/// <summary>rate over many series runs on several cores; each series must come out as it does alone.</summary>
public sealed class ParallelRangeFunctionTests
{
    private const int SeriesCount = 600;
    private const long Minute = SyntheticCounters.Minute;

    [Theory]
    [InlineData("rate")]
    [InlineData("increase")]
    [InlineData("delta")]
    public async Task Each_series_of_a_many_series_range_function_equals_the_series_evaluated_alone(string function)
    {
        var store = SyntheticCounters.Create(SeriesCount, 180, seed: 5);
        var engine = new PromQLEngine(store);
        var all = await RangeAsync(engine, $"{function}(requests_total[5m])");

        Assert.Equal(SeriesCount, all.Series.Count);
        foreach (var series in all.Series.Where((_, i) => i % 37 == 0))
        {
            var alone = await RangeAsync(engine, $"{function}(requests_total{{instance=\"{series.Metric.Get("instance")}\"}}[5m])");
            Assert.Equal(Assert.Single(alone.Series).Floats, series.Floats);
        }
    }

    private static Task<MatrixValue> RangeAsync(PromQLEngine engine, string query) => EngineRanges.MatrixAsync(engine, query, 10 * Minute, 170 * Minute, 30_000);
}
