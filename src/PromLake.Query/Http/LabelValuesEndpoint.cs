using System.Text;
using Microsoft.AspNetCore.Http;
using PromLake.Query.Model;

namespace PromLake.Query.Http;

/// <summary>
/// <c>GET /api/v1/label/&lt;name&gt;/values</c>: the tenant's values of one label, of the series matching any
/// <c>match[]</c> (all when none) with data between <c>start</c> and <c>end</c>; sorted, cut to <c>limit</c>.
/// A name written <c>U__…</c> is unescaped first, as Prometheus 3 does for UTF-8 names.
/// </summary>
public sealed class LabelValuesEndpoint(ITenantResolver tenants, ITenantSeriesSource series) : QueryApiEndpoint(tenants)
{
    /// <summary>The route value that holds the label name.</summary>
    public const string NameRouteValue = "name";

    private protected override async Task<ApiResult> ExecuteAsync(ApiCall call)
    {
        var name = LabelName(call.Context);
        if (name.StartsWith("U__", StringComparison.Ordinal))
        {
            name = UnescapeName(name);
        }

        if (!Labels.IsValidLabelName(name))
        {
            return ApiResult.Fail(ApiError.BadData($"invalid label name: \"{name}\""));
        }

        var p = call.Parameters;
        var start = ParameterParsing.TimeParameter(p, "start", ParameterParsing.MinTimeMs);
        var end = ParameterParsing.TimeParameter(p, "end", ParameterParsing.MaxTimeMs);
        var limit = ParameterParsing.LimitParameter(p);
        var sets = ParameterParsing.MatcherSets(p.GetAll("match[]"));
        var labels = SelectLabelQuerier.For(series.ForTenant(call.Tenant));
        var values = new HashSet<string>(StringComparer.Ordinal);
        if (sets.Count == 0)
        {
            values.UnionWith(await labels.LabelValuesAsync(name, [], start, end, call.Aborted).ConfigureAwait(false));
        }

        foreach (var set in sets)
        {
            values.UnionWith(await labels.LabelValuesAsync(name, set, start, end, call.Aborted).ConfigureAwait(false));
        }

        return ApiResult.Strings([.. values], limit);
    }

    /// <summary>
    /// The <c>{name}</c> route value when the host's routing provides one; otherwise the path segment between
    /// <c>/label/</c> and <c>/values</c>, so a trigger with a different route template still works.
    /// </summary>
    private static string LabelName(HttpContext context)
    {
        if (context.Request.RouteValues.TryGetValue(NameRouteValue, out var routed) && routed is string s)
        {
            return s;
        }

        var path = context.Request.Path.Value ?? string.Empty;
        var from = path.LastIndexOf("/label/", StringComparison.Ordinal);
        var to = path.EndsWith("/values", StringComparison.Ordinal) ? path.Length - "/values".Length : -1;
        return from >= 0 && to > from + 7 ? Uri.UnescapeDataString(path[(from + 7)..to]) : string.Empty;
    }

    /// <summary>
    /// model.UnescapeName with ValueEncodingEscaping: after <c>U__</c>, <c>__</c> is <c>_</c> and <c>_hex_</c> is
    /// that code point; anything malformed leaves the name as it was.
    /// </summary>
    internal static string UnescapeName(string name)
    {
        var escaped = name.AsSpan(3);
        var sb = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != '_')
            {
                sb.Append(escaped[i]);
                continue;
            }

            i++;
            if (i >= escaped.Length)
            {
                return name;
            }

            if (escaped[i] == '_')
            {
                sb.Append('_');
                continue;
            }

            var code = 0;
            var closed = false;
            for (var j = 0; i < escaped.Length; j++, i++)
            {
                if (j >= 6)
                {
                    return name;
                }

                if (escaped[i] == '_')
                {
                    closed = true;
                    break;
                }

                var c = char.ToLowerInvariant(escaped[i]);
                var digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : -1;
                if (digit < 0)
                {
                    return name;
                }

                code = code * 16 + digit;
            }

            if (!closed || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
            {
                return name;
            }

            sb.Append(char.ConvertFromUtf32(code));
        }

        return sb.ToString();
    }
}
