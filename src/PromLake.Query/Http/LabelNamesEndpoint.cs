namespace PromLake.Query.Http;

/// <summary>
/// <c>GET|POST /api/v1/labels</c>: the tenant's label names, of the series matching any <c>match[]</c>
/// (all series when none is given) with data between <c>start</c> and <c>end</c>; sorted, cut to <c>limit</c>.
/// </summary>
public sealed class LabelNamesEndpoint(ITenantResolver tenants, ITenantSeriesSource series) : QueryApiEndpoint(tenants)
{
    private protected override async Task<ApiResult> ExecuteAsync(ApiCall call)
    {
        var p = call.Parameters;
        var start = ParameterParsing.TimeParameter(p, "start", ParameterParsing.MinTimeMs);
        var end = ParameterParsing.TimeParameter(p, "end", ParameterParsing.MaxTimeMs);
        var limit = ParameterParsing.LimitParameter(p);
        var sets = ParameterParsing.MatcherSets(p.GetAll("match[]"));
        var labels = SelectLabelQuerier.For(series.ForTenant(call.Tenant));
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (sets.Count == 0)
        {
            names.UnionWith(await labels.LabelNamesAsync([], start, end, call.Aborted).ConfigureAwait(false));
        }

        foreach (var set in sets)
        {
            names.UnionWith(await labels.LabelNamesAsync(set, start, end, call.Aborted).ConfigureAwait(false));
        }

        return ApiResult.Strings([.. names], limit);
    }
}
