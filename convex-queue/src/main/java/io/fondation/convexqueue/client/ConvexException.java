package io.fondation.convexqueue.client;

/**
 * The root of the errors a {@link ConvexClient} call can raise. Messages never contain the
 * deployment's keys, bearer tokens or arguments whose names mark them as secret.
 *
 * <ul>
 *   <li>{@link ConvexFunctionException}: the function ran (or was looked up) and failed;</li>
 *   <li>{@link ConvexRequestException}: the deployment refused the request itself (bad path, bad key ...);</li>
 *   <li>{@link ConvexTransportException}: the deployment could not be reached or answered 5xx.</li>
 * </ul>
 */
public class ConvexException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConvexException(String message) {
        super(message);
    }

    public ConvexException(String message, Throwable cause) {
        super(message, cause);
    }
}
