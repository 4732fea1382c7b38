namespace PromLake.Protocol.Wire;

/// <summary>
/// The bytes are not a well-formed message of the expected schema: truncated
/// varints, wrong wire types, lengths past the end. Always the sender's fault,
/// so the write path maps it to 400.
/// </summary>
public sealed class WireFormatException(string message) : Exception(message);
