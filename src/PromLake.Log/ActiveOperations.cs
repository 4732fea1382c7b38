namespace PromLake.Log;

/// <summary>
/// Counts the publishes and reads in progress so disposal can wait for them:
/// FasterLog frees its page memory when disposed, and an append racing with that
/// would write into freed native memory.
/// </summary>
internal sealed class ActiveOperations
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _active;
    private int _closed;

    /// <summary>Registers an operation, or throws once <see cref="CloseAndDrainAsync"/> has been called.</summary>
    public void Enter(string objectName)
    {
        // Count first, then look: paired with CloseAndDrainAsync (close first, then
        // count), one of the two always sees the other.
        Interlocked.Increment(ref _active);
        if (Volatile.Read(ref _closed) != 0)
        {
            Exit();
            throw new ObjectDisposedException(objectName);
        }
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _closed) != 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new operations and completes when the last running one exits.</summary>
    public Task CloseAndDrainAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        if (Volatile.Read(ref _active) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }
}
