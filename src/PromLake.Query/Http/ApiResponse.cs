using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace PromLake.Query.Http;

/// <summary>
/// Writes the envelope Prometheus answers with: <c>{"status":"success","data":…,"warnings":[…],"infos":[…]}</c>
/// or <c>{"status":"error","errorType":"…","error":"…"}</c> with the status of the error type. The only place
/// that turns a result into a status code.
/// </summary>
internal static class ApiResponse
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Go's encoder escapes <, > and & (HTML-safe) but keeps other characters as UTF-8, as does this one.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        SkipValidation = true,
    };

    public static async Task WriteAsync(HttpContext context, ApiResult result)
    {
        var response = context.Response;
        if (result.Error is { } error)
        {
            response.StatusCode = error.StatusCode;
            response.ContentType = "application/json";
            await WriteEnvelopeAsync(context, w =>
            {
                w.WriteString("status"u8, "error"u8);
                w.WriteString("errorType"u8, error.TypeName);
                w.WriteString("error"u8, error.Message);
            }, null).ConfigureAwait(false);
            return;
        }

        if (result.WriteData is null)
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        await WriteEnvelopeAsync(context, w => w.WriteString("status"u8, "success"u8), async stream =>
        {
            stream.Writer.WritePropertyName("data"u8);
            await result.WriteData(stream).ConfigureAwait(false);
            WriteStrings(stream.Writer, "warnings"u8, result.Warnings);
            WriteStrings(stream.Writer, "infos"u8, result.Infos);
        }).ConfigureAwait(false);
    }

    private static async Task WriteEnvelopeAsync(HttpContext context, Action<Utf8JsonWriter> head, Func<JsonResponseStream, ValueTask>? body)
    {
        var pipe = context.Response.BodyWriter;
        await using var writer = new Utf8JsonWriter(pipe, WriterOptions);
        writer.WriteStartObject();
        head(writer);
        if (body is not null)
        {
            await body(new JsonResponseStream(writer, pipe, context.RequestAborted)).ConfigureAwait(false);
        }

        writer.WriteEndObject();
        writer.Flush();
        await pipe.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        // omitempty: the field is absent when there is nothing to say.
        if (values.Count == 0)
        {
            return;
        }

        writer.WritePropertyName(name);
        writer.WriteStartArray();
        foreach (var v in values)
        {
            writer.WriteStringValue(v);
        }

        writer.WriteEndArray();
    }
}
