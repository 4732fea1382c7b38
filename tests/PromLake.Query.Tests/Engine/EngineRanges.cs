using PromLake.Query.PromQL.Engine;

namespace PromLake.Query.Tests.Engine;

/// <summary>Range queries for engine tests: the answer's matrix, the query having succeeded.</summary>
internal static class EngineRanges
{
    public static async Task<MatrixValue> MatrixAsync(PromQLEngine engine, string query, long startMs, long endMs, long stepMs)
    {
        var result = await engine.RangeQueryAsync(query, startMs, endMs, stepMs);
        Assert.Null(result.Error);
        return Assert.IsType<MatrixValue>(result.Value);
    }
}
