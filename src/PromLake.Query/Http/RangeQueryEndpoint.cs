using System.Globalization;

namespace PromLake.Query.Http;

/// <summary>
/// <c>GET|POST /api/v1/query_range</c>: <c>query</c>, <c>start</c>, <c>end</c>, <c>step</c>, <c>timeout</c>,
/// <c>limit</c>, <c>lookback_delta</c>. Refuses more than <see cref="QueryApiOptions.MaxPointsPerSeries"/>
/// points per series before evaluating anything, with Prometheus's message.
/// </summary>
public sealed class RangeQueryEndpoint : QueryApiEndpoint
{
    private const long NanosPerMilli = 1_000_000;
    private readonly QueryExecution _execution;
    private readonly QueryApiOptions _options;

    public RangeQueryEndpoint(ITenantResolver tenants, ITenantSeriesSource series, QueryApiOptions options)
        : base(tenants)
    {
        _execution = new QueryExecution(series, options);
        _options = options;
    }

    private protected override Task<ApiResult> ExecuteAsync(ApiCall call)
    {
        var p = call.Parameters;
        var limit = ParameterParsing.LimitParameter(p);
        var start = RequiredTime(p, "start");
        var end = RequiredTime(p, "end");
        if (end < start)
        {
            throw new ApiErrorException(ApiError.InvalidParameter("end", "end timestamp must not be before start time"));
        }

        if (!ParameterParsing.TryParseDuration(p.Get("step"), out var stepNs, out var stepError))
        {
            throw new ApiErrorException(ApiError.InvalidParameter("step", stepError));
        }

        // The engine works in milliseconds; a step below one is as unusable as zero.
        if (stepNs < NanosPerMilli)
        {
            throw new ApiErrorException(ApiError.InvalidParameter("step", "zero or negative query resolution step widths are not accepted. Try a positive integer"));
        }

        // "For safety, limit the number of returned points per timeseries": end.Sub(start)/step > 11000, in
        // nanoseconds, with Go's saturating time.Duration.
        var spanNs = (Int128)(end - (Int128)start) * NanosPerMilli;
        if (spanNs > long.MaxValue)
        {
            spanNs = long.MaxValue;
        }

        if (spanNs / stepNs > _options.MaxPointsPerSeries)
        {
            throw new ApiErrorException(ApiError.BadData(
                $"exceeded maximum resolution of {_options.MaxPointsPerSeries.ToString("N0", CultureInfo.InvariantCulture)} points per timeseries. Try decreasing the query resolution (?step=XX)"));
        }

        var timeout = QueryParameters.Timeout(p);
        var lookback = QueryParameters.LookbackDelta(p);
        return _execution.RunAsync(call, new QueryRequest(p.Get("query"), start, end, stepNs / NanosPerMilli, limit, timeout, lookback));
    }

    private static long RequiredTime(ApiParameters p, string name)
    {
        if (!ParameterParsing.TryParseTime(p.Get(name), out var ms, out var error))
        {
            throw new ApiErrorException(ApiError.InvalidParameter(name, error));
        }

        return ms;
    }
}

/// <summary>The <c>timeout</c> and <c>lookback_delta</c> parameters both query endpoints take.</summary>
internal static class QueryParameters
{
    public static TimeSpan? Timeout(ApiParameters p)
    {
        var s = p.Get("timeout");
        if (s.Length == 0)
        {
            return null;
        }

        if (!ParameterParsing.TryParseDuration(s, out var ns, out var error))
        {
            throw new ApiErrorException(ApiError.InvalidParameter("timeout", error));
        }

        return TimeSpan.FromTicks(ns / 100);
    }

    /// <summary>extractQueryOpts: a per-query lookback, bad_data "error parsing lookback delta duration" when malformed.</summary>
    public static TimeSpan? LookbackDelta(ApiParameters p)
    {
        var s = p.Get("lookback_delta");
        if (s.Length == 0)
        {
            return null;
        }

        if (!ParameterParsing.TryParseDuration(s, out var ns, out var error))
        {
            throw new ApiErrorException(ApiError.BadData("error parsing lookback delta duration: " + error));
        }

        return TimeSpan.FromTicks(ns / 100);
    }
}
