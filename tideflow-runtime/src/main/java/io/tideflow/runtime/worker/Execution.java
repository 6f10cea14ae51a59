package io.tideflow.runtime.worker;

import com.google.protobuf.ByteString;
import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;

/** Runs one handler on the calling thread and turns whatever it did into the task's result. */
final class Execution {
  private Execution() {}

  static ResultMessage run(TaskMessage task, TaskHandler handler) {
    try {
      byte[] output = handler.run(task.getPayload().toByteArray());
      if (output == null) {
        output = new byte[0];
      }
      if (output.length > WireLimits.MAX_PAYLOAD_BYTES) {
        return error(
            task.getId(),
            ErrorCode.TOO_LARGE,
            "result of "
                + output.length
                + " bytes exceeds the limit of "
                + WireLimits.MAX_PAYLOAD_BYTES
                + " bytes");
      }
      return ResultMessage.newBuilder()
          .setId(task.getId())
          .setOutput(ByteString.copyFrom(output))
          .build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(task.getId(), ErrorCode.REJECTED_DRAINING, "worker stopped during the task");
    } catch (Throwable e) {
      // Every task gets an answer, or the client's credit and the dedup entry would be held
      // forever; an Error in a handler is the handler's failure, reported as such.
      return error(task.getId(), ErrorCode.HANDLER_FAILED, e.toString());
    }
  }

  static ResultMessage error(long id, ErrorCode code, String message) {
    return ResultMessage.newBuilder().setId(id).setError(code).setErrorMessage(message).build();
  }
}
