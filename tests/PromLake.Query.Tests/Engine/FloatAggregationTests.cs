using PromLake.Query.PromQL.Engine;

namespace PromLake.Query.Tests.Engine;

/// <summary>sum, count, min and max over floats walk the input series by series or step by step; both must give the same answer.</summary>
public sealed class FloatAggregationTests
{
    private const long Minute = SyntheticCounters.Minute;

    [Theory]
    [InlineData("sum by (job) (rate(requests_total[5m]))")]
    [InlineData("sum(requests_total)")]
    [InlineData("count by (job) (requests_total > 500)")]
    [InlineData("max without (instance) (requests_total)")]
    [InlineData("min by (job) (-requests_total)")]
    public async Task Walking_series_by_series_gives_what_walking_step_by_step_gives(string query)
    {
        var store = SyntheticCounters.Create(40, 120, seed: 11, specials: true);
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

    private static Task<MatrixValue> RangeAsync(PromQLEngine engine, string query) => EngineRanges.MatrixAsync(engine, query, 10 * Minute, 115 * Minute, 30_000);
}
