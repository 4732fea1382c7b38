namespace PromLake.Query.Http;

/// <summary>Prometheus's <c>errorType</c> values (web/api/v1/api.go).</summary>
public enum ApiErrorType
{
    BadData,
    Execution,
    Timeout,
    Canceled,
    Internal,
    NotFound,
    Unavailable,
}

/// <summary>An error answer of the API: its type decides the HTTP status, in <see cref="StatusCode"/> only.</summary>
public sealed record ApiError(ApiErrorType Type, string Message)
{
    /// <summary>Non-standard status (nginx's) Prometheus uses when the client went away during the query.</summary>
    public const int StatusClientClosedRequest = 499;

    public string TypeName => Type switch
    {
        ApiErrorType.BadData => "bad_data",
        ApiErrorType.Execution => "execution",
        ApiErrorType.Timeout => "timeout",
        ApiErrorType.Canceled => "canceled",
        ApiErrorType.Internal => "internal",
        ApiErrorType.NotFound => "not_found",
        _ => "unavailable",
    };

    /// <summary>The status Prometheus answers with for each error type (getDefaultErrorCode).</summary>
    public int StatusCode => Type switch
    {
        ApiErrorType.BadData => 400,
        ApiErrorType.Execution => 422,
        ApiErrorType.Timeout => 503,
        ApiErrorType.Canceled => StatusClientClosedRequest,
        ApiErrorType.NotFound => 404,
        ApiErrorType.Unavailable => 503,
        _ => 500,
    };

    public static ApiError BadData(string message) => new(ApiErrorType.BadData, message);

    /// <summary>Prometheus's invalidParamError: <c>invalid parameter "step": …</c>.</summary>
    public static ApiError InvalidParameter(string parameter, string message) =>
        new(ApiErrorType.BadData, $"invalid parameter \"{parameter}\": {message}");
}

/// <summary>Thrown by request parsing to stop with an <see cref="ApiError"/>.</summary>
internal sealed class ApiErrorException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
