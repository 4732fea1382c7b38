namespace PromLake.Query.Http;

/// <summary>
/// <c>GET|POST /api/v1/query</c>: <c>query</c>, <c>time</c> (default now), <c>timeout</c>, <c>limit</c>,
/// <c>lookback_delta</c>; parameters are checked in Prometheus's order so the first error is the same.
/// </summary>
public sealed class InstantQueryEndpoint : QueryApiEndpoint
{
    private readonly QueryExecution _execution;
    private readonly TimeProvider _clock;

    public InstantQueryEndpoint(ITenantResolver tenants, ITenantSeriesSource series, QueryApiOptions options, TimeProvider clock)
        : base(tenants)
    {
        _execution = new QueryExecution(series, options);
        _clock = clock;
    }

    private protected override Task<ApiResult> ExecuteAsync(ApiCall call)
    {
        var p = call.Parameters;
        var limit = ParameterParsing.LimitParameter(p);
        var time = ParameterParsing.TimeParameter(p, "time", _clock.GetUtcNow().ToUnixTimeMilliseconds());
        var timeout = QueryParameters.Timeout(p);
        var lookback = QueryParameters.LookbackDelta(p);
        return _execution.RunAsync(call, new QueryRequest(p.Get("query"), time, time, 0, limit, timeout, lookback));
    }
}
