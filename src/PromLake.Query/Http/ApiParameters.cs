using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace PromLake.Query.Http;

/// <summary>
/// The parameters of a request as Go's <c>r.FormValue</c> / <c>r.Form</c> see them: a form-encoded
/// POST body first, then the URL query. GET and POST therefore mean the same thing.
/// </summary>
internal sealed class ApiParameters
{
    private readonly IFormCollection? _form;
    private readonly IQueryCollection _query;

    private ApiParameters(IFormCollection? form, IQueryCollection query)
    {
        _form = form;
        _query = query;
    }

    public static async Task<ApiParameters> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        IFormCollection? form = null;
        if (!HttpMethods.IsGet(request.Method) && request.HasFormContentType)
        {
            try
            {
                form = await request.ReadFormAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new ApiErrorException(ApiError.BadData("error parsing form values: " + e.Message));
            }
        }

        return new ApiParameters(form, request.Query);
    }

    /// <summary>The first value of the parameter, or "" when it is absent (Go's FormValue).</summary>
    public string Get(string name)
    {
        if (_form is not null && _form.TryGetValue(name, out var fromForm) && fromForm.Count > 0)
        {
            return fromForm[0] ?? string.Empty;
        }

        return _query.TryGetValue(name, out var fromQuery) && fromQuery.Count > 0 ? fromQuery[0] ?? string.Empty : string.Empty;
    }

    /// <summary>Every value of a repeated parameter such as <c>match[]</c>: the body's, then the URL's.</summary>
    public List<string> GetAll(string name)
    {
        var values = new List<string>();
        Add(_form is not null && _form.TryGetValue(name, out var f) ? f : StringValues.Empty);
        Add(_query.TryGetValue(name, out var q) ? q : StringValues.Empty);
        return values;

        void Add(StringValues v)
        {
            foreach (var s in v)
            {
                values.Add(s ?? string.Empty);
            }
        }
    }
}
