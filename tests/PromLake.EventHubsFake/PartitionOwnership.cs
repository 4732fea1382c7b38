namespace PromLake.EventHubsFake;

/// <summary>
///   Who may read one partition through one consumer group. Event Hubs' owner-level ("epoch") rules:
///   a receiver with epoch e2 disconnects every receiver with epoch e1 &lt;= e2 and every receiver
///   without an epoch; it is refused while a receiver with a higher epoch is attached; a receiver
///   without an epoch is refused while any receiver with an epoch is attached.
/// </summary>
internal sealed class PartitionOwnership
{
    private readonly object gate = new();
    private readonly List<PartitionReader> readers = [];

    /// <summary>
    ///   Admits <paramref name="candidate" />, or says why not. Readers it displaces are returned
    ///   for the caller to detach outside the lock.
    /// </summary>
    public bool TryAdmit(PartitionReader candidate, out string? refusal, out List<PartitionReader> displaced)
    {
        displaced = [];
        lock (gate)
        {
            foreach (var reader in readers)
            {
                if (reader.OwnerLevel is { } held && (candidate.OwnerLevel is null || held > candidate.OwnerLevel))
                {
                    refusal = candidate.OwnerLevel is null
                        ? $"A receiver with epoch '{held}' already exists; a receiver without an epoch cannot be created."
                        : $"A receiver with epoch '{held}' already exists; a new receiver with lower epoch '{candidate.OwnerLevel}' cannot be created.";
                    return false;
                }
            }

            if (candidate.OwnerLevel is not null)
            {
                displaced.AddRange(readers);
                readers.Clear();
            }

            readers.Add(candidate);
        }

        refusal = null;
        return true;
    }

    public void Release(PartitionReader reader)
    {
        lock (gate)
        {
            readers.Remove(reader);
        }
    }
}
