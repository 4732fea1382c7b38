namespace PromLake.Ingest.Validation;

/// <summary>
/// Why the write path refused a request or a series. Each reason is also the
/// <c>reason</c> label of the refusal counters, and maps to one HTTP status in
/// <see cref="StatusOf"/>, the only place that mapping lives.
/// </summary>
public static class RefusalReason
{
    // Whole request.
    public const string Unauthorized = "unauthorized";
    public const string UnsupportedContentType = "unsupported_content_type";
    public const string UnsupportedContentEncoding = "unsupported_content_encoding";
    public const string RequestTooLarge = "request_too_large";
    public const string DecompressedTooLarge = "decompressed_too_large";
    public const string InvalidSnappy = "invalid_snappy";
    public const string InvalidProtobuf = "invalid_protobuf";
    public const string TooManySeries = "too_many_series";
    public const string RateLimited = "rate_limited";
    public const string LogUnavailable = "log_unavailable";

    // One series.
    public const string InvalidSeries = "invalid_series";
    public const string MissingMetricName = "missing_metric_name";
    public const string EmptyLabelName = "empty_label_name";
    public const string EmptyLabelValue = "empty_label_value";
    public const string LabelsNotSorted = "labels_not_sorted";
    public const string DuplicateLabelName = "duplicate_label_name";
    public const string InvalidUtf8 = "invalid_utf8";
    public const string TooManyLabels = "max_label_names_per_series";
    public const string LabelNameTooLong = "label_name_too_long";
    public const string LabelValueTooLong = "label_value_too_long";
    public const string InvalidMetadata = "invalid_metadata";
    public const string SampleTooOld = "sample_too_far_in_past";

    public static int StatusOf(string reason) => reason switch
    {
        Unauthorized => 401,
        UnsupportedContentType or UnsupportedContentEncoding => 415,
        RequestTooLarge or DecompressedTooLarge => 413,
        RateLimited => 429,
        LogUnavailable => 503,
        _ => 400,
    };
}
