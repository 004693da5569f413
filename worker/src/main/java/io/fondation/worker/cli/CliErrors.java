package io.fondation.worker.cli;

import io.fondation.shared.ConfigurationException;
import io.fondation.shared.JobQueueException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into one line on stderr and an exit code, never a stack trace: usage and
 * configuration errors exit 2, everything else 1. The stack trace is logged at DEBUG
 * ({@code LOG_LEVEL=DEBUG}) for whoever needs it.
 */
public final class CliErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CliErrors.class);
    static final String PREFIX = "fondation-worker: ";

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(PREFIX + JobFormatter.oneLine(ex.getMessage()));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        int code;
        String message;
        if (ex instanceof ConfigurationException || ex instanceof UsageException) {
            code = ExitCodes.USAGE;
            message = ex.getMessage();
        } else if (ex instanceof JobQueueException) {
            code = ExitCodes.FAILURE;
            message = "queue error: " + ex.getMessage();
        } else if (ex instanceof UncheckedIOException io) {
            code = ExitCodes.FAILURE;
            message = io.getCause().toString();
        } else if (ex instanceof InterruptedException) {
            code = ExitCodes.INTERRUPTED;
            message = "interrupted";
        } else {
            code = ExitCodes.FAILURE;
            message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        }
        err.println(PREFIX + JobFormatter.oneLine(message));
        err.flush();
        LOG.debug("{} failed", command.getCommandSpec().qualifiedName(), ex);
        return code;
    }
}
