using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.Http;

/// <summary>
/// <c>GET|POST /api/v1/query_exemplars</c>: PromLake keeps no exemplars yet, so a valid query answers an empty
/// list (Grafana probes this to decide whether to offer exemplars), a query without selectors 204 and a
/// malformed one bad_data, as Prometheus does.
/// </summary>
public sealed class QueryExemplarsEndpoint(ITenantResolver tenants) : QueryApiEndpoint(tenants)
{
    private protected override Task<ApiResult> ExecuteAsync(ApiCall call)
    {
        var p = call.Parameters;
        var start = ParameterParsing.TimeParameter(p, "start", ParameterParsing.MinTimeMs);
        var end = ParameterParsing.TimeParameter(p, "end", ParameterParsing.MaxTimeMs);
        if (end < start)
        {
            return Task.FromResult(ApiResult.Fail(ApiError.BadData("end timestamp must not be before start timestamp")));
        }

        var expr = Parser.ParseExpr(p.Get("query"));
        var hasSelector = false;
        foreach (var (node, _) in PromQL.Engine.AstWalker.Walk(expr))
        {
            hasSelector |= node is VectorSelector;
        }

        return Task.FromResult(hasSelector
            ? ApiResult.Data(w =>
            {
                w.WriteStartArray();
                w.WriteEndArray();
            })
            : ApiResult.NoContent);
    }
}
