namespace PromLake.Log;

/// <summary>
/// Holds the log folder for one <see cref="LocalFileLog"/>: two FasterLogs appending
/// to the same segment files would overwrite each other's events. On Unix .NET takes
/// an advisory flock for <see cref="FileShare.None"/>, which the OS releases when the
/// process dies, so a crash never leaves a stale lock behind.
/// </summary>
internal sealed class DirectoryLock : IDisposable
{
    private const string FileName = "LOCK";

    private readonly FileStream _file;

    private DirectoryLock(FileStream file) => _file = file;

    public static DirectoryLock Acquire(string directory)
    {
        var path = Path.Combine(directory, FileName);
        try
        {
            return new DirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"The log folder '{directory}' is already open in another LocalFileLog (could not lock '{path}')", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
