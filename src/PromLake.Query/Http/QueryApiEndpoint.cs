using Microsoft.AspNetCore.Http;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.Http;

/// <summary>
/// The request path every JSON endpoint shares, top to bottom: authenticate the tenant (401 otherwise) →
/// read the parameters (URL query and form body alike) → run the endpoint → write Prometheus's envelope.
/// Hosts call <see cref="HandleAsync"/>: the standalone server through its routes, the Functions app from a trigger.
/// </summary>
public abstract class QueryApiEndpoint
{
    private readonly ITenantResolver _tenants;

    private protected QueryApiEndpoint(ITenantResolver tenants) => _tenants = tenants;

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tenant = await _tenants.ResolveTenantAsync(context).ConfigureAwait(false);
        if (tenant is null)
        {
            await Unauthorized.WriteAsync(context, _tenants).ConfigureAwait(false);
            return;
        }

        ApiResult result;
        try
        {
            var parameters = await ApiParameters.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
            result = await ExecuteAsync(new ApiCall(context, tenant, parameters)).ConfigureAwait(false);
        }
        catch (ApiErrorException e)
        {
            result = ApiResult.Fail(e.Error);
        }
        catch (ParseException e)
        {
            result = ApiResult.Fail(ApiError.BadData(e.Message));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            result = ApiResult.Fail(new ApiError(ApiErrorType.Canceled, "query was canceled"));
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // A failing store: Prometheus answers its storage errors as "internal".
            result = ApiResult.Fail(new ApiError(ApiErrorType.Internal, e.Message));
        }

        await ApiResponse.WriteAsync(context, result).ConfigureAwait(false);
    }

    private protected abstract Task<ApiResult> ExecuteAsync(ApiCall call);
}

/// <summary>One authenticated API request.</summary>
internal sealed record ApiCall(HttpContext Context, string Tenant, ApiParameters Parameters)
{
    public CancellationToken Aborted => Context.RequestAborted;
}

/// <summary>The 401 of the query endpoints: the same words and challenges as the write path's.</summary>
internal static class Unauthorized
{
    public const string Message = "missing or invalid credentials: use HTTP Basic or a PromLake bearer token";

    public static async Task WriteAsync(HttpContext context, ITenantResolver tenants)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = new([.. tenants.Challenges]);
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(Message + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
