using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.Http;

/// <summary>
/// <c>GET|POST /api/v1/series</c>: the label sets of the tenant's series matching any <c>match[]</c>
/// (at least one required) with data between <c>start</c> and <c>end</c>, sorted, cut to <c>limit</c>.
/// </summary>
public sealed class SeriesEndpoint(ITenantResolver tenants, ITenantSeriesSource series) : QueryApiEndpoint(tenants)
{
    private protected override async Task<ApiResult> ExecuteAsync(ApiCall call)
    {
        var p = call.Parameters;
        var selectors = p.GetAll("match[]");
        if (selectors.Count == 0)
        {
            return ApiResult.Fail(ApiError.BadData("no match[] parameter provided"));
        }

        var start = ParameterParsing.TimeParameter(p, "start", ParameterParsing.MinTimeMs);
        var end = ParameterParsing.TimeParameter(p, "end", ParameterParsing.MaxTimeMs);
        var limit = ParameterParsing.LimitParameter(p);
        List<IReadOnlyList<LabelMatcher>> sets;
        try
        {
            sets = ParameterParsing.MatcherSets(selectors);
        }
        catch (ParseException e)
        {
            return ApiResult.Fail(ApiError.InvalidParameter("match[]", e.Message));
        }
        catch (ApiErrorException e)
        {
            return ApiResult.Fail(ApiError.InvalidParameter("match[]", e.Error.Message));
        }

        var labels = SelectLabelQuerier.For(series.ForTenant(call.Tenant));
        var found = new HashSet<Labels>();
        foreach (var set in sets)
        {
            found.UnionWith(await labels.SeriesAsync(set, start, end, call.Aborted).ConfigureAwait(false));
        }

        var sorted = found.ToList();
        sorted.Sort(static (a, b) => a.CompareTo(b));
        var warnings = ApiResult.Truncate(sorted, limit);
        return ApiResult.Data(async stream =>
        {
            stream.Writer.WriteStartArray();
            foreach (var l in sorted)
            {
                PromJson.WriteLabels(stream.Writer, l);
                await stream.FlushIfLargeAsync().ConfigureAwait(false);
            }

            stream.Writer.WriteEndArray();
        }, warnings);
    }
}
