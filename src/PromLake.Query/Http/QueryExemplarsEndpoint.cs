using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.Http;

/// <summary>
/// <c>GET|POST /api/v1/query_exemplars</c>: the exemplars of the series that any selector of the query
/// matches, between <c>start</c> and <c>end</c>, in Prometheus's shape
/// (<c>[{"seriesLabels":{…},"exemplars":[{"labels":{…},"value":"…","timestamp":…}]}]</c>); a query without
/// selectors answers 204 and a malformed one bad_data, as Prometheus does. A store that keeps no
/// exemplars (no <see cref="IExemplarQuerier"/>) answers an empty list, which Grafana takes as "none".
/// </summary>
public sealed class QueryExemplarsEndpoint(ITenantResolver tenants, ITenantSeriesSource series) : QueryApiEndpoint(tenants)
{
    private protected override async Task<ApiResult> ExecuteAsync(ApiCall call)
    {
        var p = call.Parameters;
        var start = ParameterParsing.TimeParameter(p, "start", ParameterParsing.MinTimeMs);
        var end = ParameterParsing.TimeParameter(p, "end", ParameterParsing.MaxTimeMs);
        if (end < start)
        {
            return ApiResult.Fail(ApiError.BadData("end timestamp must not be before start timestamp"));
        }

        var expr = Parser.ParseExpr(p.Get("query"));
        var selectors = new List<IReadOnlyList<LabelMatcher>>();
        foreach (var (node, _) in PromQL.Engine.AstWalker.Walk(expr))
        {
            if (node is VectorSelector vs)
            {
                selectors.Add(vs.Matchers);
            }
        }

        if (selectors.Count == 0)
        {
            return ApiResult.NoContent;
        }

        var found = series.ForTenant(call.Tenant) is IExemplarQuerier exemplars
            ? await exemplars.ExemplarsAsync(selectors, start, end, call.Aborted).ConfigureAwait(false)
            : [];
        return ApiResult.Data(w =>
        {
            w.WriteStartArray();
            foreach (var one in found)
            {
                w.WriteStartObject();
                w.WritePropertyName("seriesLabels"u8);
                PromJson.WriteLabels(w, one.SeriesLabels);
                w.WritePropertyName("exemplars"u8);
                w.WriteStartArray();
                foreach (var e in one.Exemplars)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("labels"u8);
                    PromJson.WriteLabels(w, e.Labels);
                    w.WritePropertyName("value"u8);
                    PromJson.WriteFloat(w, e.Value);
                    w.WritePropertyName("timestamp"u8);
                    PromJson.WriteTimestamp(w, e.T);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }
}
