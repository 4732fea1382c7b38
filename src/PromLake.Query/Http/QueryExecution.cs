using PromLake.Query.PromQL.Engine;
using PromLake.Query.PromQL.Parsing;
using ValueType = PromLake.Query.PromQL.Parsing.ValueType;

namespace PromLake.Query.Http;

/// <summary>What an instant or range query asks for, its parameters parsed.</summary>
internal sealed record QueryRequest(string Query, long StartMs, long EndMs, long StepMs, int Limit, TimeSpan? Timeout, TimeSpan? LookbackDelta)
{
    public bool IsRange => StepMs > 0;
}

/// <summary>
/// Runs a PromQL query for one tenant as Prometheus's API does: validate the expression (bad_data), evaluate it
/// under the sample limit and the timeout, map the outcome to execution, timeout, canceled or internal, cut the
/// result to <c>limit</c>, and hand back warnings and infos (at most 10 of each, as Prometheus).
/// </summary>
internal sealed class QueryExecution(ITenantSeriesSource series, QueryApiOptions options)
{
    private const int MaxAnnotationsPerKind = 10;

    public async Task<ApiResult> RunAsync(ApiCall call, QueryRequest request)
    {
        ApiError? invalid = Validate(request);
        if (invalid is not null)
        {
            return ApiResult.Fail(invalid);
        }

        var engine = new PromQLEngine(series.ForTenant(call.Tenant), new PromQLEngineOptions
        {
            LookbackDelta = request.LookbackDelta is { } l && l > TimeSpan.Zero ? l : options.LookbackDelta,
            MaxSamples = options.MaxSamples,
        });

        // The timeout parameter can shorten the configured timeout, never lengthen it.
        var timeout = request.Timeout is { } t && t < options.Timeout ? t : options.Timeout;
        using var timeoutCts = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted, timeoutCts.Token);
        QueryResult result;
        try
        {
            result = request.IsRange
                ? await engine.RangeQueryAsync(request.Query, request.StartMs, request.EndMs, request.StepMs, linked.Token).ConfigureAwait(false)
                : await engine.InstantQueryAsync(request.Query, request.StartMs, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            result = new QueryResult(null, e, []);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Storage failures: Prometheus's ErrStorage is "internal".
            return ApiResult.Fail(new ApiError(ApiErrorType.Internal, e.Message));
        }

        if (result.Error is { } error)
        {
            return ApiResult.Fail(error switch
            {
                OperationCanceledException when timeoutCts.IsCancellationRequested && !call.Aborted.IsCancellationRequested =>
                    new ApiError(ApiErrorType.Timeout, "query timed out in expression evaluation"),
                OperationCanceledException => new ApiError(ApiErrorType.Canceled, "query was canceled in expression evaluation"),
                ParseException p => ApiError.InvalidParameter("query", p.Message),
                PromQLException => new ApiError(ApiErrorType.Execution, error.Message),
                _ => new ApiError(ApiErrorType.Internal, error.Message),
            });
        }

        var value = result.Value!;
        var (warnings, infos) = Split(result.Annotations);
        if (request.Limit > 0 && Truncate(value, request.Limit))
        {
            warnings.Add(ApiResult.TruncatedWarning);
        }

        return ApiResult.Data(stream => QueryValueJson.WriteAsync(stream, value), warnings, infos);
    }

    /// <summary>What Prometheus's NewInstantQuery / NewRangeQuery refuse before evaluating: bad_data, "invalid parameter \"query\"".</summary>
    private static ApiError? Validate(QueryRequest request)
    {
        Expr expr;
        try
        {
            expr = Parser.ParseExpr(request.Query);
        }
        catch (ParseException e)
        {
            return ApiError.InvalidParameter("query", e.Message);
        }

        if (request.IsRange && expr.Type is not (ValueType.Vector or ValueType.Scalar))
        {
            return ApiError.InvalidParameter("query", $"invalid expression type \"{expr.Type.Name()}\" for range query, must be Scalar or instant Vector");
        }

        return null;
    }

    /// <summary>annotations.AsStrings: warnings and infos apart, at most 10 of each and a count of the rest.</summary>
    private static (List<string> Warnings, List<string> Infos) Split(IReadOnlyList<Annotation> annotations)
    {
        var warnings = new List<string>();
        var infos = new List<string>();
        int warnSkipped = 0, infoSkipped = 0;
        foreach (var a in annotations)
        {
            if (a.Kind == AnnotationKind.Info)
            {
                if (infos.Count < MaxAnnotationsPerKind)
                {
                    infos.Add(a.Message);
                }
                else
                {
                    infoSkipped++;
                }
            }
            else if (warnings.Count < MaxAnnotationsPerKind)
            {
                warnings.Add(a.Message);
            }
            else
            {
                warnSkipped++;
            }
        }

        if (warnSkipped > 0)
        {
            warnings.Add($"{warnSkipped} more warning annotations omitted");
        }

        if (infoSkipped > 0)
        {
            infos.Add($"{infoSkipped} more info annotations omitted");
        }

        return (warnings, infos);
    }

    /// <summary>truncateResults: only vectors and matrices are cut.</summary>
    private static bool Truncate(QueryValue value, int limit)
    {
        switch (value)
        {
            case VectorValue v when v.Samples.Count > limit:
                v.Samples.RemoveRange(limit, v.Samples.Count - limit);
                return true;
            case MatrixValue m when m.Series.Count > limit:
                m.Series.RemoveRange(limit, m.Series.Count - limit);
                return true;
            default:
                return false;
        }
    }
}
