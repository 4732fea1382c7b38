namespace PromLake.Storage.Series;

/// <summary>An exemplar attached to a series: its own labels (for example a trace id), value and time.</summary>
/// <param name="Timestamp">Milliseconds since the Unix epoch.</param>
/// <param name="Value">The exemplar's value, kept bit for bit.</param>
/// <param name="Labels">The exemplar's labels, sorted by name.</param>
public readonly record struct Exemplar(long Timestamp, double Value, Label[] Labels);
