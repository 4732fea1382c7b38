using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.Storage;

namespace PromLake.Query.Tests.Engine;

/// <summary>sum, count, min and max over floats walk the input series by series or step by step; both must give the same answer.</summary>
public sealed class FloatAggregationTests
{
    private const long Minute = 60_000;

    [Theory]
    [InlineData("sum by (job) (rate(requests_total[5m]))")]
    [InlineData("sum(requests_total)")]
    [InlineData("count by (job) (requests_total > 500)")]
    [InlineData("max without (instance) (requests_total)")]
    [InlineData("min by (job) (-requests_total)")]
    public async Task Walking_series_by_series_gives_what_walking_step_by_step_gives(string query)
    {
        var store = new InMemorySeriesStore();
        var random = new Random(11);
        var specials = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 1e308 };
        for (var s = 0; s < 40; s++)
        {
            var labels = Labels.FromStrings("__name__", "requests_total", "instance", $"i{s}", "job", $"j{s % 3}");
            var value = 0.0;
            for (var t = 0; t < 120; t++)
            {
                value += random.NextDouble() * 20;
                if (random.Next(10) != 0)
                {
                    store.Append(labels, new StoredSample(t * Minute + s * 1000, random.Next(200) == 0 ? specials[random.Next(specials.Length)] : value));
                }
            }
        }

        var engine = new PromQLEngine(store);
        var bySeries = await RangeAsync(engine, query);
        var limit = Evaluator.SeriesMajorCells;
        Evaluator.SeriesMajorCells = 0;
        MatrixValue byStep;
        try
        {
            byStep = await RangeAsync(engine, query);
        }
        finally
        {
            Evaluator.SeriesMajorCells = limit;
        }

        Assert.Equal(byStep.Series.Select(s => s.Metric), bySeries.Series.Select(s => s.Metric));
        for (var i = 0; i < byStep.Series.Count; i++)
        {
            Assert.Equal(byStep.Series[i].Floats, bySeries.Series[i].Floats);
        }
    }

    private static async Task<MatrixValue> RangeAsync(PromQLEngine engine, string query)
    {
        var result = await engine.RangeQueryAsync(query, 10 * Minute, 115 * Minute, 30_000);
        Assert.Null(result.Error);
        return Assert.IsType<MatrixValue>(result.Value);
    }
}
