using Microsoft.AspNetCore.Http;

namespace PromLake.Ingest;

/// <summary>POST /api/v1/write. Placeholder until the write path lands.</summary>
public sealed class RemoteWriteEndpoint
{
    public Task HandleAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status501NotImplemented;
        return Task.CompletedTask;
    }
}
