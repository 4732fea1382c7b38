using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.Storage;

namespace PromLake.Query.Tests.Engine;

/// <summary>rate over many series runs on several cores; each series must come out as it does alone.</summary>
public sealed class ParallelRangeFunctionTests
{
    private const int SeriesCount = 600;
    private const long Minute = 60_000;

    [Theory]
    [InlineData("rate")]
    [InlineData("increase")]
    [InlineData("delta")]
    public async Task Each_series_of_a_many_series_range_function_equals_the_series_evaluated_alone(string function)
    {
        var store = new InMemorySeriesStore();
        var random = new Random(5);
        for (var s = 0; s < SeriesCount; s++)
        {
            var labels = Labels.FromStrings("__name__", "requests_total", "instance", $"i{s:D4}");
            var value = 0.0;
            for (var t = 0; t < 180; t++)
            {
                value = random.Next(50) == 0 ? 1 : value + random.NextDouble() * 10;
                if (random.Next(30) != 0)
                {
                    store.Append(labels, new StoredSample(t * Minute + s * 97 % 60_000, value));
                }
            }
        }

        var engine = new PromQLEngine(store);
        var all = await RangeAsync(engine, $"{function}(requests_total[5m])");

        Assert.Equal(SeriesCount, all.Series.Count);
        foreach (var series in all.Series.Where((_, i) => i % 37 == 0))
        {
            var alone = await RangeAsync(engine, $"{function}(requests_total{{instance=\"{series.Metric.Get("instance")}\"}}[5m])");
            Assert.Equal(Assert.Single(alone.Series).Floats, series.Floats);
        }
    }

    private static async Task<MatrixValue> RangeAsync(PromQLEngine engine, string query)
    {
        var result = await engine.RangeQueryAsync(query, 10 * Minute, 170 * Minute, 30_000);
        Assert.Null(result.Error);
        return Assert.IsType<MatrixValue>(result.Value);
    }
}
